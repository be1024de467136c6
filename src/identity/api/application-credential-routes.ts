// /v3/users/{user_id}/application_credentials: self-service credentials for the token's project.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, notFound } from '../../core/errors.js';
import type { AuthContext } from '../../core/http/auth-context.js';
import { isArrayOf, isBoolean, isString, nullable, parseBody, type BodySpec, type Check } from '../../core/validate.js';
import type { AccessRuleInput } from '../domain/access-rules.js';
import {
  appCredView, createAppCred, deleteAppCred, listAppCreds, type AppCredInput, type AppCredView,
} from '../domain/application-credentials.js';
import { pythonIsoformat } from '../domain/expiry.js';
import { getUser } from '../domain/users.js';
import { isIdString, isName, isRoleRef, isStrictObject } from './catalog-checks.js';
import type { IdentityDeps } from './deps.js';
import { renderRole } from './role-routes.js';
import { authorize, collection, queryValue, selfLink, type Params, type Query } from './helpers.js';

const isAccessRule = isStrictObject({
  path: isString({ max: 225, pattern: /^\/.*/ }),
  method: isString({ pattern: /^(POST|GET|HEAD|PATCH|PUT|DELETE)$/ }),
  service: isIdString,
  id: isIdString,
}) as Check<AccessRuleInput>;

const APP_CRED_FIELDS: BodySpec = {
  name: { check: isName, required: true },
  description: { check: nullable(isString({ max: 65535 })) },
  secret: { check: nullable(isString({ max: 4096 })) },
  expires_at: { check: nullable(isString({ max: 64 })) },
  roles: { check: isArrayOf(isRoleRef) },
  unrestricted: { check: isBoolean },
  access_rules: { check: isArrayOf(isAccessRule) },
};

function renderAppCred(request: FastifyRequest, v: AppCredView, secret?: string): Record<string, unknown> {
  const r = v.row;
  return {
    id: r.id,
    name: r.name,
    description: r.description === '' ? null : r.description,
    expires_at: r.expires_at ? pythonIsoformat(r.expires_at) : null,
    project_id: r.project_id,
    // Keystone nests the plain role records: no links.
    roles: v.roles.map((role) => {
      const { links: _links, ...plain } = renderRole(request, role);
      return plain;
    }),
    unrestricted: r.unrestricted === 1,
    ...(v.accessRules.length > 0 ? { access_rules: v.accessRules } : {}),
    ...(secret !== undefined ? { secret } : {}),
    links: selfLink(request, `users/${r.user_id}/application_credentials/${r.id}`),
  };
}

/** A token that came from a restricted application credential may not mint or remove others. */
export async function assertNotRestrictedAppCred(deps: IdentityDeps, ctx: AuthContext, what: string): Promise<void> {
  if (!ctx.applicationCredentialId) return;
  const own = await deps.db.selectFrom('application_credential').select('unrestricted').where('id', '=', ctx.applicationCredentialId).executeTakeFirst();
  if (!own?.unrestricted) {
    throw forbidden(`You are not authorized to perform the requested action: Using method 'application_credential' is not allowed for managing ${what}.`);
  }
}

export function registerApplicationCredentialRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = '/v3/users/:user_id/application_credentials';

  app.get(base, async (request) => {
    const { user_id } = request.params as Params;
    await authorize(deps, request, 'identity:list_application_credentials', { user_id });
    await getUser(deps.db, user_id!);
    const rows = await listAppCreds(deps.db, user_id!, queryValue(request.query as Query, 'name'));
    const views = await Promise.all(rows.map((r) => appCredView(deps.db, r)));
    return collection(request, 'application_credentials', views.map((v) => renderAppCred(request, v)));
  });

  app.post(base, async (request, reply) => {
    const { user_id } = request.params as Params;
    const ctx = await authorize(deps, request, 'identity:create_application_credential', { user_id });
    const input = parseBody(request.body, 'application_credential', APP_CRED_FIELDS, false).fields as unknown as AppCredInput;
    await assertNotRestrictedAppCred(deps, ctx, 'additional application credentials');
    if (ctx.userId !== user_id) {
      throw forbidden('You are not authorized to perform the requested action: Cannot create an application credential for another user.');
    }
    if (!ctx.projectId) {
      throw forbidden('You are not authorized to perform the requested action: Application credentials require a project-scoped token.');
    }
    const caller = { userId: ctx.userId, projectId: ctx.projectId, roleIds: ctx.roles.map((r) => r.id) };
    const { view, secret } = await createAppCred(deps, caller, input);
    reply.code(201);
    return { application_credential: renderAppCred(request, view, secret) };
  });

  /** Policy sees the credential's owner, not the path's user (Keystone closes that loophole too). */
  async function ownCred(request: FastifyRequest, rule: string) {
    const { user_id, application_credential_id } = request.params as Params;
    const row = await deps.db.selectFrom('application_credential').selectAll().where('id', '=', application_credential_id!).executeTakeFirst();
    const ctx = await authorize(deps, request, rule, { user_id: row?.user_id ?? user_id });
    if (!row || row.user_id !== user_id) throw notFound(`Could not find Application Credential: ${application_credential_id}.`);
    return { ctx, row };
  }

  app.get(`${base}/:application_credential_id`, async (request) => {
    const { row } = await ownCred(request, 'identity:get_application_credential');
    return { application_credential: renderAppCred(request, await appCredView(deps.db, row)) };
  });

  app.delete(`${base}/:application_credential_id`, async (request, reply) => {
    const { ctx, row } = await ownCred(request, 'identity:delete_application_credential');
    await assertNotRestrictedAppCred(deps, ctx, 'additional application credentials');
    await deleteAppCred(deps, row.id);
    reply.code(204).send();
  });
}

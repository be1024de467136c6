// /v3/OS-TRUST/trusts: delegation of a trustor's project roles to a trustee.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../core/errors.js';
import { isArrayOf, isBoolean, isInteger, isString, nullable, parseBody, type BodySpec, type Check } from '../../core/validate.js';
import type { RoleRow, TrustRow } from '../db/schema.js';
import { isotimeSubsecond } from '../domain/expiry.js';
import { createTrust, deleteTrust, getTrust, listTrusts, trustRoles, type TrustInput, type TrustRoleRef } from '../domain/trusts.js';
import { assertNotRestrictedAppCred } from './application-credential-routes.js';
import { isIdString, isRoleRef } from './catalog-checks.js';
import type { IdentityDeps } from './deps.js';
import { renderRole } from './role-routes.js';
import { authorize, collection, parseJson, queryValue, selfLink, type Params, type Query } from './helpers.js';

const userIdString = isString({ min: 1, max: 255 });

const TRUST_FIELDS: BodySpec = {
  trustor_user_id: { check: userIdString, required: true },
  trustee_user_id: { check: userIdString, required: true },
  impersonation: { check: isBoolean, required: true },
  project_id: { check: nullable(isIdString) },
  remaining_uses: { check: nullable(isInteger(1)) },
  expires_at: { check: nullable(isString({ max: 64 })) },
  allow_redelegation: { check: nullable(isBoolean) },
  redelegation_count: { check: nullable(isInteger(0)) },
  roles: { check: isArrayOf(isRoleRef as Check<TrustRoleRef>) },
};

function renderTrust(request: FastifyRequest, t: TrustRow, roles?: RoleRow[]): Record<string, unknown> {
  return {
    ...parseJson(t.extra),
    id: t.id,
    trustor_user_id: t.trustor_user_id,
    trustee_user_id: t.trustee_user_id,
    project_id: t.project_id,
    impersonation: t.impersonation === 1,
    expires_at: t.expires_at ? isotimeSubsecond(t.expires_at) : null,
    remaining_uses: t.remaining_uses,
    deleted_at: null,
    redelegated_trust_id: t.redelegated_trust_id,
    redelegation_count: t.redelegation_count,
    ...(roles ? {
      roles: roles.map((r) => renderRole(request, r)),
      roles_links: { self: selfLink(request, `OS-TRUST/trusts/${t.id}/roles`).self, previous: null, next: null },
    } : {}),
    links: selfLink(request, `OS-TRUST/trusts/${t.id}`),
  };
}

export function registerTrustRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = '/v3/OS-TRUST/trusts';

  /** Keystone looks the trust up before policy: a missing trust is a 404 for everyone. */
  async function authorizedTrust(request: FastifyRequest, rule: string): Promise<TrustRow> {
    const { trust_id } = request.params as Params;
    await request.requireAuth();
    const trust = await getTrust(deps.db, trust_id!);
    await authorize(deps, request, rule, { target: { trust } });
    return trust;
  }

  app.post(base, async (request, reply) => {
    const { fields, extra } = parseBody(request.body, 'trust', TRUST_FIELDS, true);
    delete extra.id;
    delete extra.links;
    const input = { ...(fields as unknown as TrustInput), extra };
    const ctx = await authorize(deps, request, 'identity:create_trust', { trust: { trustor_user_id: input.trustor_user_id } });
    await assertNotRestrictedAppCred(deps, ctx, 'trusts');
    const trust = await createTrust(deps, ctx.userId, input);
    reply.code(201);
    return { trust: renderTrust(request, trust, await trustRoles(deps.db, trust.id)) };
  });

  app.get(base, async (request) => {
    const query = request.query as Query;
    const trustor = queryValue(query, 'trustor_user_id');
    const trustee = queryValue(query, 'trustee_user_id');
    if (trustor !== undefined) {
      await authorize(deps, request, 'identity:list_trusts_for_trustor', { target: { trust: { trustor_user_id: trustor } } });
    } else if (trustee !== undefined) {
      await authorize(deps, request, 'identity:list_trusts_for_trustee', { target: { trust: { trustee_user_id: trustee } } });
    } else {
      await authorize(deps, request, 'identity:list_trusts');
    }
    const rows = await listTrusts(deps.db, trustor !== undefined ? { trustor_user_id: trustor } : trustee !== undefined ? { trustee_user_id: trustee } : {});
    return collection(request, 'trusts', rows.map((t) => renderTrust(request, t)));
  });

  app.get(`${base}/:trust_id`, async (request) => {
    const trust = await authorizedTrust(request, 'identity:get_trust');
    return { trust: renderTrust(request, trust, await trustRoles(deps.db, trust.id)) };
  });

  app.delete(`${base}/:trust_id`, async (request, reply) => {
    const trust = await authorizedTrust(request, 'identity:delete_trust');
    await assertNotRestrictedAppCred(deps, await request.requireAuth(), 'trusts');
    await deleteTrust(deps, trust.id);
    reply.code(204).send();
  });

  app.get(`${base}/:trust_id/roles`, async (request) => {
    const trust = await authorizedTrust(request, 'identity:list_roles_for_trust');
    const roles = await trustRoles(deps.db, trust.id);
    return { roles: roles.map((r) => renderRole(request, r)), links: { self: selfLink(request, `OS-TRUST/trusts/${trust.id}/roles`).self, previous: null, next: null } };
  });

  // HEAD comes from this GET route too: Keystone's "check trust role" answers 200.
  app.get(`${base}/:trust_id/roles/:role_id`, async (request) => {
    const { role_id } = request.params as Params;
    const trust = await authorizedTrust(request, 'identity:get_role_for_trust');
    const role = (await trustRoles(deps.db, trust.id)).find((r) => r.id === role_id);
    if (!role) throw notFound(`Could not find role: ${role_id}.`);
    return { role: renderRole(request, role) };
  });
}

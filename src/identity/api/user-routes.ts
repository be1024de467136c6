// /v3/users: parse, authorize, hand to the domain, render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isBoolean, isObject, isString, nullable, parseBody, type BodySpec } from '../../core/validate.js';
import type { UserRow } from '../db/schema.js';
import { changeOwnPassword, createUser, deleteUser, getUser, updateUser, type UserInput } from '../domain/users.js';
import { keystoneTime } from '../domain/time.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, queryBool, queryValue, selfLink, type Params, type Query } from './helpers.js';

const USER_FIELDS: BodySpec = {
  name: { check: isString({ min: 1, max: 255 }) },
  domain_id: { check: isString({ min: 1, max: 64 }) },
  enabled: { check: isBoolean },
  password: { check: nullable(isString({ max: 4096 })) },
  default_project_id: { check: nullable(isString({ max: 64 })) },
  description: { check: nullable(isString({ max: 65535 })) },
  options: { check: isObject },
};

export function renderUser(request: FastifyRequest, u: UserRow): Record<string, unknown> {
  return {
    ...parseJson(u.extra),
    id: u.id,
    name: u.name,
    domain_id: u.domain_id,
    enabled: u.enabled === 1,
    password_expires_at: u.password_expires_at ? keystoneTime(Date.parse(u.password_expires_at)) : null,
    options: parseJson(u.options),
    ...(u.default_project_id ? { default_project_id: u.default_project_id } : {}),
    ...(u.description ? { description: u.description } : {}),
    links: selfLink(request, `users/${u.id}`),
  };
}

function parseUser(body: unknown, required: boolean): UserInput {
  const { fields, extra } = parseBody(body, 'user', { ...USER_FIELDS, name: { ...USER_FIELDS.name!, required } }, true);
  delete extra.id;
  delete extra.links;
  return { ...(fields as UserInput), extra };
}

export function registerUserRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const userTarget = (u: UserRow) => ({ user_id: u.id, target: { user: { id: u.id, domain_id: u.domain_id } } });

  app.get('/v3/users', async (request) => {
    const query = request.query as Query;
    const domainId = queryValue(query, 'domain_id');
    // As Keystone: a domain-scoped caller is checked against (and limited to) its own domain.
    const caller = await request.requireAuth();
    const ctx = await authorize(deps, request, 'identity:list_users', caller.domainId ? { target: { domain_id: caller.domainId } } : {});
    let q = deps.db.selectFrom('identity_user').selectAll().orderBy('name');
    if (domainId) q = q.where('domain_id', '=', domainId);
    // A domain-scoped caller only ever sees its own domain's users.
    if (ctx.domainId) q = q.where('domain_id', '=', ctx.domainId);
    const name = queryValue(query, 'name');
    if (name !== undefined) q = q.where('name', '=', name);
    const enabled = queryBool(query, 'enabled');
    if (enabled !== undefined) q = q.where('enabled', '=', enabled ? 1 : 0);
    const users = await q.execute();
    return collection(request, 'users', users.map((u) => renderUser(request, u)));
  });

  app.post('/v3/users', async (request, reply) => {
    const input = parseUser(request.body, true);
    const ctx = await request.requireAuth();
    const domainId = input.domain_id ?? ctx.domainId ?? ctx.projectDomainId ?? 'default';
    await authorize(deps, request, 'identity:create_user', { target: { user: { domain_id: domainId } } });
    const user = await createUser(deps, { ...input, name: input.name!, domain_id: domainId });
    reply.code(201);
    return { user: renderUser(request, user) };
  });

  app.get('/v3/users/:user_id', async (request) => {
    const { user_id } = request.params as Params;
    await request.requireAuth();
    const user = await getUser(deps.db, user_id!);
    await authorize(deps, request, 'identity:get_user', userTarget(user));
    return { user: renderUser(request, user) };
  });

  app.patch('/v3/users/:user_id', async (request) => {
    const { user_id } = request.params as Params;
    const input = parseUser(request.body, false);
    await request.requireAuth();
    const user = await getUser(deps.db, user_id!);
    await authorize(deps, request, 'identity:update_user', userTarget(user));
    return { user: renderUser(request, await updateUser(deps, user.id, input)) };
  });

  app.delete('/v3/users/:user_id', async (request, reply) => {
    const { user_id } = request.params as Params;
    await request.requireAuth();
    const user = await getUser(deps.db, user_id!);
    await authorize(deps, request, 'identity:delete_user', userTarget(user));
    await deleteUser(deps, user.id);
    reply.code(204).send();
  });

  app.post('/v3/users/:user_id/password', async (request, reply) => {
    const { user_id } = request.params as Params;
    const { fields } = parseBody(request.body, 'user', {
      password: { check: isString({ max: 4096 }), required: true },
      original_password: { check: isString({ max: 4096 }), required: true },
    }, false);
    await changeOwnPassword(deps, deps.config.identity.securityCompliance, user_id!, fields.original_password as string, fields.password as string);
    reply.code(204).send();
  });
}

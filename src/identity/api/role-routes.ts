// /v3/roles: global roles and domain-specific roles (which use the *_domain_role rules).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { isObject, isString, nullable, parseBody, type BodySpec, type Check } from '../../core/validate.js';
import type { RoleRow } from '../db/schema.js';
import { createRole, deleteRole, findRole, getRole, listRoles, roleOptions, updateRole, type RoleInput, type RoleOptions } from '../domain/roles.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, queryValue, selfLink, type Params, type Query } from './helpers.js';

/** Keystone's role option registry holds one option, `immutable` (boolean or null). */
const isRoleOptions: Check<RoleOptions> = (value, field) => {
  const options = isObject(value, field);
  for (const [key, v] of Object.entries(options)) {
    if (key !== 'immutable') throw badRequest(`Invalid input for field '${field}': additional property '${key.slice(0, 40)}' is not allowed.`);
    if (v !== null && typeof v !== 'boolean') throw badRequest(`Invalid input for field '${field}.${key}': is not of type 'boolean', 'null'.`);
  }
  return options as RoleOptions;
};

const ROLE_FIELDS: BodySpec = {
  name: { check: isString({ min: 1, max: 255, pattern: /\S/ }) },
  domain_id: { check: nullable(isString({ min: 1, max: 64 })) },
  description: { check: nullable(isString({ max: 65535 })) },
  options: { check: isRoleOptions },
};

export function renderRole(request: FastifyRequest, r: RoleRow): Record<string, unknown> {
  return {
    ...parseJson(r.extra),
    id: r.id,
    name: r.name,
    domain_id: r.domain_id,
    description: r.description === '' ? null : r.description,
    options: roleOptions(r),
    links: selfLink(request, `roles/${r.id}`),
  };
}

/** The policy view of a role; a global role's domain_id is null, which `None:` checks match. */
export function roleTarget(r: RoleRow | undefined): Record<string, unknown> {
  return r ? { id: r.id, name: r.name, domain_id: r.domain_id } : {};
}

function parseRole(body: unknown, creating: boolean, roleId?: string): RoleInput {
  const { fields, extra } = parseBody(body, 'role', { ...ROLE_FIELDS, name: { ...ROLE_FIELDS.name!, required: creating } }, true);
  if (!creating && Object.keys(fields).length + Object.keys(extra).length === 0) {
    throw badRequest("Invalid input for field 'role': {} does not have enough properties.");
  }
  if (roleId !== undefined && extra.id !== undefined && extra.id !== roleId) throw badRequest('Cannot change the ID of a role.');
  delete extra.id;
  delete extra.links;
  return { ...(fields as RoleInput), extra };
}

export function registerRoleRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get('/v3/roles', async (request) => {
    const query = request.query as Query;
    const domainId = queryValue(query, 'domain_id');
    await authorize(deps, request, domainId ? 'identity:list_domain_roles' : 'identity:list_roles', domainId ? { domain_id: domainId } : {});
    const roles = await listRoles(deps.db, { domainId: domainId || undefined, name: queryValue(query, 'name') });
    return collection(request, 'roles', roles.map((r) => renderRole(request, r)));
  });

  app.post('/v3/roles', async (request, reply) => {
    const input = parseRole(request.body, true);
    const rule = input.domain_id ? 'identity:create_domain_role' : 'identity:create_role';
    await authorize(deps, request, rule, { target: { role: { domain_id: input.domain_id ?? null } } });
    const role = await createRole(deps, { ...input, name: input.name! });
    reply.code(201);
    return { role: renderRole(request, role) };
  });

  /** As Keystone: a missing role is checked against the global rule, then 404s. */
  async function authorizedRole(request: FastifyRequest, action: 'get' | 'update' | 'delete'): Promise<RoleRow> {
    const { role_id } = request.params as Params;
    await request.requireAuth();
    const role = await findRole(deps.db, role_id!);
    const rule = role?.domain_id ? `identity:${action}_domain_role` : `identity:${action}_role`;
    await authorize(deps, request, rule, { role_id, target: { role: roleTarget(role) } });
    return role ?? getRole(deps.db, role_id!);
  }

  app.get('/v3/roles/:role_id', async (request) => {
    const role = await authorizedRole(request, 'get');
    return { role: renderRole(request, role) };
  });

  app.patch('/v3/roles/:role_id', async (request) => {
    const { role_id } = request.params as Params;
    const input = parseRole(request.body, false, role_id);
    const role = await authorizedRole(request, 'update');
    return { role: renderRole(request, await updateRole(deps, role.id, input)) };
  });

  app.delete('/v3/roles/:role_id', async (request, reply) => {
    const role = await authorizedRole(request, 'delete');
    await deleteRole(deps, role.id);
    reply.code(204).send();
  });
}

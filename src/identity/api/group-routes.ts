// /v3/groups: parse, authorize, hand to the domain, render. Membership lives in group-member-routes.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { isString, nullable, parseBody, type BodySpec } from '../../core/validate.js';
import type { GroupRow } from '../db/schema.js';
import { createGroup, deleteGroup, findGroup, getGroup, listGroups, updateGroup, type GroupInput } from '../domain/groups.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, queryValue, selfLink, type Params, type Query } from './helpers.js';

const GROUP_FIELDS: BodySpec = {
  name: { check: isString({ min: 1, max: 255, pattern: /\S/ }) },
  domain_id: { check: isString({ min: 1, max: 64 }) },
  description: { check: nullable(isString({ max: 65535 })) },
};

export function renderGroup(request: FastifyRequest, g: GroupRow): Record<string, unknown> {
  return {
    ...parseJson(g.extra),
    id: g.id,
    name: g.name,
    domain_id: g.domain_id,
    description: g.description,
    links: selfLink(request, `groups/${g.id}`),
  };
}

/** The policy view of a group: what Keystone's rules read from `target.group`. */
export function groupTarget(g: GroupRow | undefined): Record<string, unknown> {
  return g ? { id: g.id, name: g.name, domain_id: g.domain_id } : {};
}

function parseGroup(body: unknown, creating: boolean, groupId?: string): GroupInput {
  const { fields, extra } = parseBody(body, 'group', { ...GROUP_FIELDS, name: { ...GROUP_FIELDS.name!, required: creating } }, true);
  if (!creating && Object.keys(fields).length + Object.keys(extra).length === 0) {
    throw badRequest("Invalid input for field 'group': {} does not have enough properties.");
  }
  if (groupId !== undefined && extra.id !== undefined && extra.id !== groupId) throw badRequest('Cannot change the ID of a group.');
  delete extra.id;
  delete extra.links;
  return { ...(fields as GroupInput), extra };
}

export function registerGroupRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get('/v3/groups', async (request) => {
    const query = request.query as Query;
    const ctx = await request.requireAuth();
    // A domain-scoped caller only ever sees its own domain's groups.
    const domainId = ctx.domainId ?? queryValue(query, 'domain_id');
    await authorize(deps, request, 'identity:list_groups', domainId ? { domain_id: domainId, target: { group: { domain_id: domainId } } } : {});
    const groups = await listGroups(deps.db, { domainId, name: queryValue(query, 'name') });
    const wanted = queryValue(query, 'domain_id');
    const visible = wanted !== undefined && wanted !== domainId ? [] : groups;
    return collection(request, 'groups', visible.map((g) => renderGroup(request, g)));
  });

  app.post('/v3/groups', async (request, reply) => {
    const input = parseGroup(request.body, true);
    const ctx = await request.requireAuth();
    const domainId = input.domain_id ?? ctx.domainId ?? ctx.projectDomainId ?? 'default';
    await authorize(deps, request, 'identity:create_group', { target: { group: { domain_id: domainId } } });
    const group = await createGroup(deps, { ...input, name: input.name!, domain_id: domainId });
    reply.code(201);
    return { group: renderGroup(request, group) };
  });

  /** Policy runs before the 404 so a caller cannot probe for ids it may not see. */
  async function authorizedGroup(request: FastifyRequest, rule: string): Promise<GroupRow> {
    const { group_id } = request.params as Params;
    await request.requireAuth();
    const group = await findGroup(deps.db, group_id!);
    await authorize(deps, request, rule, { group_id, target: { group: groupTarget(group) } });
    return group ?? getGroup(deps.db, group_id!);
  }

  app.get('/v3/groups/:group_id', async (request) => {
    const group = await authorizedGroup(request, 'identity:get_group');
    return { group: renderGroup(request, group) };
  });

  app.patch('/v3/groups/:group_id', async (request) => {
    const { group_id } = request.params as Params;
    const input = parseGroup(request.body, false, group_id);
    const group = await authorizedGroup(request, 'identity:update_group');
    return { group: renderGroup(request, await updateGroup(deps, group.id, input)) };
  });

  app.delete('/v3/groups/:group_id', async (request, reply) => {
    const group = await authorizedGroup(request, 'identity:delete_group');
    await deleteGroup(deps, group.id);
    reply.code(204).send();
  });
}

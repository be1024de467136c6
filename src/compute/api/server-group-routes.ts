// os-server-groups (nova/api/openstack/compute/server_groups.py):
//   GET    /os-server-groups          the caller's project; every project's with all_projects (admin);
//                                     limit/offset; unknown query parameters refused from 2.75;
//   POST   /os-server-groups          {name, policies: [one policy]} before 2.64, {name, policy, rules?}
//                                     from 2.64 (rules only for anti-affinity); soft policies from 2.15;
//                                     counted against the server_groups quota;
//   GET    /os-server-groups/{id}     and DELETE (204).
// The view carries policies + metadata before 2.64, policy + rules from it, project/user from 2.13.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ApiError, badRequest, forbidden } from '../../core/errors.js';
import type { ServerGroupRow } from '../db/schema.js';
import { inTransaction, nextId, nowIso } from '../db/transaction.js';
import { enforce } from '../domain/policy.js';
import { limitsFor } from '../domain/quotas.js';
import type { ComputeRouter, Ctx } from './router.js';
import { lastQueryValue, nameType, nonNegativeIntegerType, validateBody, validateQuery, type Schema } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-server-groups:${action}`;
const POLICIES = ['affinity', 'anti-affinity'];
const SOFT_POLICIES = [...POLICIES, 'soft-anti-affinity', 'soft-affinity'];

const groupNotFound = (id: string): ApiError => new ApiError(404, `Instance group ${id} could not be found.`, 'InstanceGroupNotFound');

const createSchema = (group: Schema): Schema => ({
  type: 'object', properties: { server_group: group }, required: ['server_group'], additionalProperties: false,
});
const legacySchema = (policies: readonly string[]): Schema => createSchema({
  type: 'object',
  properties: {
    name: nameType,
    policies: { type: 'array', items: { type: 'string', enum: policies }, minItems: 1, maxItems: 1 },
  },
  required: ['name', 'policies'], additionalProperties: false,
});
const CREATE_21 = legacySchema(POLICIES);
const CREATE_215 = legacySchema(SOFT_POLICIES);
const CREATE_264 = createSchema({
  type: 'object',
  properties: {
    name: nameType,
    policy: { type: 'string', enum: SOFT_POLICIES },
    rules: {
      type: 'object',
      properties: { max_server_per_host: { type: ['integer', 'string'], pattern: /^[0-9]*$/, minimum: 1, minLength: 1 } },
      additionalProperties: false,
    },
  },
  required: ['name', 'policy'], additionalProperties: false,
});

const INDEX_QUERY: Readonly<Record<string, Schema>> = {
  all_projects: {}, limit: nonNegativeIntegerType, offset: nonNegativeIntegerType,
};

function render(ctx: Ctx, g: ServerGroupRow, members: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { id: g.uuid, name: g.name };
  if (ctx.mv.atLeast('2.64')) {
    out.policy = g.policy;
    out.rules = JSON.parse(g.rules || '{}') as unknown;
  } else {
    out.policies = [g.policy];
  }
  out.members = [...members];
  if (!ctx.mv.atLeast('2.64')) out.metadata = {};
  if (ctx.mv.atLeast('2.13')) {
    out.project_id = g.project_id;
    out.user_id = g.user_id;
  }
  return out;
}

async function membersOf(ctx: Ctx, groups: readonly ServerGroupRow[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>(groups.map((g) => [g.id, []]));
  if (groups.length === 0) return out;
  const rows = await ctx.deps.db.selectFrom('nova_server_group_member').selectAll()
    .where('group_id', 'in', groups.map((g) => g.id)).orderBy('instance_uuid').execute();
  for (const r of rows) out.get(r.group_id)?.push(r.instance_uuid);
  return out;
}

async function findGroup(ctx: Ctx): Promise<ServerGroupRow> {
  const id = ctx.params.id!;
  const group = await ctx.deps.db.selectFrom('nova_server_group').selectAll().where('uuid', '=', id).executeTakeFirst();
  if (!group) throw groupNotFound(id);
  return group;
}

async function index(ctx: Ctx): Promise<unknown> {
  validateQuery(ctx.query, INDEX_QUERY, !ctx.mv.atLeast('2.75'));
  const projectId = ctx.caller.projectId;
  enforce(ctx.deps.policy, ctx.caller, RULE('index'), { project_id: projectId });
  let q = ctx.deps.db.selectFrom('nova_server_group').selectAll().orderBy('id');
  if (ctx.query.all_projects !== undefined) {
    enforce(ctx.deps.policy, ctx.caller, RULE('index:all_projects'), { project_id: projectId });
  } else {
    q = q.where('project_id', '=', projectId);
  }
  const all = await q.execute();
  const offset = Number(lastQueryValue(ctx.query, 'offset') ?? 0);
  const limitText = lastQueryValue(ctx.query, 'limit');
  const maxLimit = 1000;
  const limit = Math.min(limitText !== undefined && limitText !== '' ? Number(limitText) : maxLimit, maxLimit);
  const groups = all.slice(offset, offset + limit);
  const members = await membersOf(ctx, groups);
  return { server_groups: groups.map((g) => render(ctx, g, members.get(g.id) ?? [])) };
}

interface CreateBody { name: string; policies?: string[]; policy?: string; rules?: { max_server_per_host?: number | string } }

async function create(ctx: Ctx): Promise<unknown> {
  const schema = ctx.mv.atLeast('2.64') ? CREATE_264 : ctx.mv.atLeast('2.15') ? CREATE_215 : CREATE_21;
  const body = validateBody<{ server_group: CreateBody }>(ctx.body, schema).server_group;
  const { projectId, userId } = ctx.caller;
  enforce(ctx.deps.policy, ctx.caller, RULE('create'), { project_id: projectId, user_id: userId });
  const policy = body.policy ?? body.policies![0]!;
  const rules: Record<string, number> = {};
  if (body.rules !== undefined && Object.keys(body.rules).length > 0) {
    if (policy !== 'anti-affinity') throw badRequest('Only anti-affinity policy supports rules.');
    if (body.rules.max_server_per_host !== undefined) rules.max_server_per_host = Number(body.rules.max_server_per_host);
  }
  const limits = await limitsFor(ctx.deps.db, ctx.deps.compute, projectId, userId);
  const group = await inTransaction(ctx.deps.db, async (trx) => {
    const limit = limits.server_groups ?? -1;
    if (limit >= 0) {
      const count = await trx.selectFrom('nova_server_group').select(sql<number | string>`count(*)`.as('n'))
        .where('project_id', '=', projectId).executeTakeFirst();
      if (Number(count?.n ?? 0) + 1 > limit) throw forbidden('Quota exceeded, too many server groups.', 'QuotaError');
    }
    const now = nowIso();
    const row: ServerGroupRow = {
      id: await nextId(trx, 'nova_server_group'), uuid: randomUUID(), name: body.name, project_id: projectId, user_id: userId,
      policy, rules: JSON.stringify(rules), created_at: now, updated_at: now,
    };
    await trx.insertInto('nova_server_group').values(row).execute();
    return row;
  });
  return { server_group: render(ctx, group, []) };
}

export function registerServerGroupRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-server-groups', { handler: index });
  router.route('POST', '/os-server-groups', { handler: create });
  router.route('GET', '/os-server-groups/:id', {
    handler: async (ctx) => {
      const group = await findGroup(ctx);
      enforce(ctx.deps.policy, ctx.caller, RULE('show'), { project_id: group.project_id });
      return { server_group: render(ctx, group, (await membersOf(ctx, [group])).get(group.id) ?? []) };
    },
  });
  router.route('DELETE', '/os-server-groups/:id', {
    status: 204,
    handler: async (ctx) => {
      const group = await findGroup(ctx);
      enforce(ctx.deps.policy, ctx.caller, RULE('delete'), { project_id: group.project_id });
      await inTransaction(ctx.deps.db, async (trx) => {
        await trx.deleteFrom('nova_server_group_member').where('group_id', '=', group.id).execute();
        await trx.deleteFrom('nova_server_group').where('id', '=', group.id).execute();
      });
      return undefined;
    },
  });
}

// Server tags (nova/api/openstack/compute/server_tags.py, 2.26+):
//   GET/PUT/DELETE /servers/{id}/tags            list; replace all (200 with the list); remove all (204)
//   GET/PUT/DELETE /servers/{id}/tags/{tag}      exists (204) / 404; add (201 + Location, 204 when
//                                                present); remove (204) / 404
// Tags are 1–60 characters without '/' or ','; at most 50 per server. Changes need the server in
// a settled state (active, paused, suspended, shelved, stopped), as Nova checks.
import { ApiError, badRequest } from '../../core/errors.js';
import type { InstanceRow } from '../db/schema.js';
import { inTransaction, nowIso, type ComputeTx } from '../db/transaction.js';
import { enforce } from '../domain/policy.js';
import { instanceInvalidState, visibleInstance } from '../domain/servers/lookup.js';
import type { ComputeRouter, Ctx } from './router.js';
import { validateBody, type Schema } from './validation.js';

/** objects.instance.MAX_TAG_COUNT. */
export const MAX_TAG_COUNT = 50;
const TAG: Schema = { type: 'string', pattern: /^[^,/]*$/, minLength: 1, maxLength: 60 };
const UPDATE_ALL: Schema = {
  type: 'object',
  properties: { tags: { type: 'array', items: TAG, maxItems: MAX_TAG_COUNT } },
  required: ['tags'],
  additionalProperties: false,
};
const SETTLED = ['active', 'paused', 'suspended', 'shelved', 'shelved_offloaded', 'stopped'];

const tagNotFound = (uuid: string, tag: string): ApiError => new ApiError(404, `Instance ${uuid} has no tag '${tag}'`, 'InstanceTagNotFound');

/** A tag from the URL, checked against parameter_types.tag with Nova's message. */
function checkTag(tag: string): void {
  let why: string | undefined;
  if (tag.length === 0) why = `'' is too short`;
  else if ([...tag].length > 60) why = `'${tag}' is too long`;
  else if (/[,/]/.test(tag)) why = `'${tag}' does not match '^[^,/]*$'`;
  if (why !== undefined) {
    throw badRequest(`Tag '${tag}' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: ${why}`);
  }
}

async function server(ctx: Ctx, action: string): Promise<InstanceRow> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, `os_compute_api:os-server-tags:${action}`, { project_id: row.project_id });
  return row;
}

function checkSettled(row: InstanceRow, action: string): void {
  if (!SETTLED.includes(row.vm_state)) throw instanceInvalidState(row.uuid, action, 'vm_state', row.vm_state);
}

async function tagsOf(db: ComputeTx | Ctx['deps']['db'], uuid: string): Promise<string[]> {
  const rows = await db.selectFrom('nova_instance_tag').select('tag').where('instance_uuid', '=', uuid).orderBy('tag').execute();
  return rows.map((r) => r.tag);
}

async function touch(trx: ComputeTx, uuid: string): Promise<void> {
  await trx.updateTable('nova_instance').set({ updated_at: nowIso() }).where('uuid', '=', uuid).execute();
}

export function registerServerTagRoutes(router: ComputeRouter): void {
  const base = '/servers/:server_id/tags';

  router.route('GET', base, {
    min: '2.26',
    handler: async (ctx) => ({ tags: await tagsOf(ctx.deps.db, (await server(ctx, 'index')).uuid) }),
  });

  router.route('PUT', base, {
    min: '2.26',
    handler: async (ctx) => {
      const body = validateBody<{ tags: string[] }>(ctx.body, UPDATE_ALL);
      const row = await server(ctx, 'update_all');
      checkSettled(row, 'update tags');
      const tags = [...new Set(body.tags)];
      await inTransaction(ctx.deps.db, async (trx) => {
        await trx.deleteFrom('nova_instance_tag').where('instance_uuid', '=', row.uuid).execute();
        if (tags.length > 0) await trx.insertInto('nova_instance_tag').values(tags.map((tag) => ({ instance_uuid: row.uuid, tag }))).execute();
        await touch(trx, row.uuid);
      });
      return { tags: await tagsOf(ctx.deps.db, row.uuid) };
    },
  });

  router.route('DELETE', base, {
    min: '2.26',
    status: 204,
    handler: async (ctx) => {
      const row = await server(ctx, 'delete_all');
      checkSettled(row, 'delete tags');
      await inTransaction(ctx.deps.db, async (trx) => {
        await trx.deleteFrom('nova_instance_tag').where('instance_uuid', '=', row.uuid).execute();
        await touch(trx, row.uuid);
      });
      return undefined;
    },
  });

  router.route('GET', `${base}/:tag`, {
    min: '2.26',
    status: 204,
    handler: async (ctx) => {
      const row = await server(ctx, 'show');
      const tag = ctx.params.tag!;
      if (!(await tagsOf(ctx.deps.db, row.uuid)).includes(tag)) throw tagNotFound(row.uuid, tag);
      return undefined;
    },
  });

  router.route('PUT', `${base}/:tag`, {
    min: '2.26',
    status: 201,
    handler: async (ctx) => {
      const row = await server(ctx, 'update');
      checkSettled(row, 'update tag');
      const tag = ctx.params.tag!;
      checkTag(tag);
      const created = await inTransaction(ctx.deps.db, async (trx) => {
        const tags = await tagsOf(trx, row.uuid);
        if (tags.includes(tag)) return false;
        if (tags.length >= MAX_TAG_COUNT) throw badRequest(`The number of tags exceeded the per-server limit ${MAX_TAG_COUNT}`);
        await trx.insertInto('nova_instance_tag').values({ instance_uuid: row.uuid, tag }).execute();
        await touch(trx, row.uuid);
        return true;
      });
      if (!created) {
        ctx.reply.code(204);
        return undefined;
      }
      const self = ctx.links.resource(`servers/${row.uuid}/tags`, encodeURIComponent(tag))[0]!;
      ctx.reply.header('location', self.href);
      return undefined;
    },
  });

  router.route('DELETE', `${base}/:tag`, {
    min: '2.26',
    status: 204,
    handler: async (ctx) => {
      const row = await server(ctx, 'delete');
      checkSettled(row, 'delete tag');
      const tag = ctx.params.tag!;
      const result = await inTransaction(ctx.deps.db, async (trx) => {
        const r = await trx.deleteFrom('nova_instance_tag').where('instance_uuid', '=', row.uuid).where('tag', '=', tag).executeTakeFirst();
        if (Number(r.numDeletedRows) > 0) await touch(trx, row.uuid);
        return Number(r.numDeletedRows);
      });
      if (result === 0) throw tagNotFound(row.uuid, tag);
      return undefined;
    },
  });
}

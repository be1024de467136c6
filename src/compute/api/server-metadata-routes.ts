// Server metadata (nova/api/openstack/compute/server_metadata.py):
//   GET/PUT/POST /servers/{id}/metadata, GET/PUT/DELETE /servers/{id}/metadata/{key}.
// PUT replaces everything, POST merges, PUT on a key sets that one key (its body must name it);
// create/replace answer with the whole metadata afterwards, all with 200 (delete 204). Changes go
// through compute/api.py's guards: not locked (admins pass), vm_state active/paused/suspended/
// stopped, launched; the metadata_items quota bounds the result (403).
import { ApiError, badRequest } from '../../core/errors.js';
import type { Kysely } from 'kysely';
import type { ComputeDb, InstanceRow } from '../db/schema.js';
import { inTransaction, nowIso } from '../db/transaction.js';
import { enforce } from '../domain/policy.js';
import { limitsFor } from '../domain/quotas.js';
import { instanceInvalidState, visibleInstance } from '../domain/servers/lookup.js';
import { checkNotLocked } from '../domain/servers/lookup.js';
import type { ComputeRouter, Ctx } from './router.js';
import { validateBody, type Schema } from './validation.js';

type Metadata = Record<string, string>;

/** parameter_types.metadata. */
export const METADATA_SCHEMA: Schema = {
  type: 'object',
  patternProperties: [[/^[a-zA-Z0-9-_:. ]{1,255}$/, { type: 'string', maxLength: 255 }]],
  additionalProperties: false,
};

const CREATE: Schema = { type: 'object', properties: { metadata: METADATA_SCHEMA }, required: ['metadata'], additionalProperties: false };
const UPDATE: Schema = {
  type: 'object',
  properties: { meta: { ...METADATA_SCHEMA, minProperties: 1, maxProperties: 1 } },
  required: ['meta'],
  additionalProperties: false,
};

const CHANGEABLE = ['active', 'paused', 'suspended', 'stopped'];

const itemNotFound = (): ApiError => new ApiError(404, 'Metadata item was not found');

export async function instanceMetadata(db: Kysely<ComputeDb>, uuid: string): Promise<Metadata> {
  const rows = await db.selectFrom('nova_instance_metadata').select(['key', 'value']).where('instance_uuid', '=', uuid).orderBy('key').execute();
  const out: Metadata = {};
  for (const r of rows) out[r.key] = r.value;
  return out;
}

/** @check_instance_lock + @check_instance_state(vm_state=[…], task_state=None). */
function checkChangeable(ctx: Ctx, row: InstanceRow, action: string): void {
  checkNotLocked(ctx.caller, row);
  if (!CHANGEABLE.includes(row.vm_state)) throw instanceInvalidState(row.uuid, action, 'vm_state', row.vm_state);
  if (!row.launched_at) throw new ApiError(409, `Instance ${row.uuid} is in an invalid state for '${action}'`, 'InstanceInvalidState');
}

/** Writes the metadata (replace or merge) and returns it as it now is; quota-checked inside the transaction. */
async function write(ctx: Ctx, row: InstanceRow, metadata: Metadata, replace: boolean): Promise<Metadata> {
  const limits = await limitsFor(ctx.deps.db, ctx.deps.compute, row.project_id, undefined);
  const allowed = limits.metadata_items ?? -1;
  return inTransaction(ctx.deps.db, async (trx) => {
    const merged = replace ? { ...metadata } : { ...(await instanceMetadata(trx, row.uuid)), ...metadata };
    if (allowed >= 0 && Object.keys(merged).length > allowed) {
      throw new ApiError(403, `Maximum number of metadata items exceeds ${allowed}`, 'MetadataLimitExceeded');
    }
    const del = trx.deleteFrom('nova_instance_metadata').where('instance_uuid', '=', row.uuid);
    if (replace) await del.execute();
    else if (Object.keys(metadata).length > 0) await del.where('key', 'in', Object.keys(metadata)).execute();
    const rows = Object.entries(replace ? merged : metadata).map(([key, value]) => ({ instance_uuid: row.uuid, key, value }));
    if (rows.length > 0) await trx.insertInto('nova_instance_metadata').values(rows).execute();
    await trx.updateTable('nova_instance').set({ updated_at: nowIso() }).where('uuid', '=', row.uuid).execute();
    return merged;
  });
}

const rule = (action: string): string => `os_compute_api:server-metadata:${action}`;

async function server(ctx: Ctx, action: string): Promise<InstanceRow> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, rule(action), { project_id: row.project_id });
  return row;
}

export function registerServerMetadataRoutes(router: ComputeRouter): void {
  const base = '/servers/:server_id/metadata';

  router.route('GET', base, {
    handler: async (ctx) => ({ metadata: await instanceMetadata(ctx.deps.db, (await server(ctx, 'index')).uuid) }),
  });

  router.route('POST', base, {
    handler: async (ctx) => {
      const body = validateBody<{ metadata: Metadata }>(ctx.body, CREATE);
      const row = await server(ctx, 'create');
      checkChangeable(ctx, row, 'update metadata');
      return { metadata: await write(ctx, row, body.metadata, false) };
    },
  });

  router.route('PUT', base, {
    handler: async (ctx) => {
      const body = validateBody<{ metadata: Metadata }>(ctx.body, CREATE);
      const row = await server(ctx, 'update_all');
      checkChangeable(ctx, row, 'update metadata');
      return { metadata: await write(ctx, row, body.metadata, true) };
    },
  });

  router.route('GET', `${base}/:key`, {
    handler: async (ctx) => {
      const row = await server(ctx, 'show');
      const key = ctx.params.key!;
      const metadata = await instanceMetadata(ctx.deps.db, row.uuid);
      if (!Object.hasOwn(metadata, key)) throw itemNotFound();
      return { meta: { [key]: metadata[key] } };
    },
  });

  router.route('PUT', `${base}/:key`, {
    handler: async (ctx) => {
      const body = validateBody<{ meta: Metadata }>(ctx.body, UPDATE);
      const row = await server(ctx, 'update');
      if (!Object.hasOwn(body.meta, ctx.params.key!)) throw badRequest('Request body and URI mismatch');
      checkChangeable(ctx, row, 'update metadata');
      await write(ctx, row, body.meta, false);
      return { meta: body.meta };
    },
  });

  router.route('DELETE', `${base}/:key`, {
    status: 204,
    handler: async (ctx) => {
      const row = await server(ctx, 'delete');
      const key = ctx.params.key!;
      const metadata = await instanceMetadata(ctx.deps.db, row.uuid);
      if (!Object.hasOwn(metadata, key)) throw itemNotFound();
      checkChangeable(ctx, row, 'delete metadata');
      await ctx.deps.db.deleteFrom('nova_instance_metadata').where('instance_uuid', '=', row.uuid).where('key', '=', key).execute();
      return undefined;
    },
  });
}

// Host aggregates (nova/compute/api.py AggregateAPI, nova/objects/aggregate.py): named sets of
// compute hosts with metadata; the `availability_zone` key makes one an availability zone, and a
// host may only be in one zone. Every write runs in one transaction.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ApiError } from '../../core/errors.js';
import type { AggregateRow, ComputeDb } from '../db/schema.js';
import { inTransaction, nextId, nowIso, type ComputeTx } from '../db/transaction.js';

export const AZ_KEY = 'availability_zone';

export interface Aggregate extends AggregateRow {
  readonly hosts: string[];
  readonly metadata: Record<string, string>;
}

export const aggregateNotFound = (id: string | number): ApiError =>
  new ApiError(404, `Aggregate ${id} could not be found.`, 'AggregateNotFound');
export const aggregateNameExists = (name: string): ApiError =>
  new ApiError(409, `Aggregate ${name} already exists.`, 'AggregateNameExists');
export const computeHostNotFound = (host: string): ApiError =>
  new ApiError(404, `Compute host ${host} could not be found.`, 'ComputeHostNotFound');
export const aggregateHostExists = (id: number, host: string): ApiError =>
  new ApiError(409, `Aggregate ${id} already has host ${host}.`, 'AggregateHostExists');
export const aggregateHostNotFound = (id: number, host: string): ApiError =>
  new ApiError(404, `Aggregate ${id} has no host ${host}.`, 'AggregateHostNotFound');
const invalidAction = (status: number, kind: string, prefix: string, reason: string): ApiError =>
  new ApiError(status, `${prefix} Reason: ${reason}.`, kind);

async function load(db: Kysely<ComputeDb>, rows: readonly AggregateRow[]): Promise<Aggregate[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [hosts, meta] = await Promise.all([
    db.selectFrom('nova_aggregate_host').selectAll().where('aggregate_id', 'in', ids).orderBy('host').execute(),
    db.selectFrom('nova_aggregate_metadata').selectAll().where('aggregate_id', 'in', ids).orderBy('key').execute(),
  ]);
  return rows.map((row) => ({
    ...row,
    hosts: hosts.filter((h) => h.aggregate_id === row.id).map((h) => h.host),
    metadata: Object.fromEntries(meta.filter((m) => m.aggregate_id === row.id).map((m) => [m.key, m.value])),
  }));
}

export async function listAggregates(db: Kysely<ComputeDb>): Promise<Aggregate[]> {
  return load(db, await db.selectFrom('nova_aggregate').selectAll().orderBy('id').execute());
}

export async function getAggregate(db: Kysely<ComputeDb>, id: number): Promise<Aggregate> {
  const row = await db.selectFrom('nova_aggregate').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw aggregateNotFound(id);
  return (await load(db, [row]))[0]!;
}

async function checkNameFree(trx: ComputeTx, name: string, except?: number): Promise<void> {
  let q = trx.selectFrom('nova_aggregate').select('id').where('name', '=', name);
  if (except !== undefined) q = q.where('id', '!=', except);
  if (await q.executeTakeFirst()) throw aggregateNameExists(name);
}

/** The zones other aggregates give each host ({host: zones}), leaving `except` out. */
async function otherZones(trx: ComputeTx, hosts: readonly string[], except: number): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (hosts.length === 0) return out;
  const rows = await trx.selectFrom('nova_aggregate_host')
    .innerJoin('nova_aggregate_metadata', 'nova_aggregate_metadata.aggregate_id', 'nova_aggregate_host.aggregate_id')
    .select(['nova_aggregate_host.host', 'nova_aggregate_metadata.value'])
    .where('nova_aggregate_metadata.key', '=', AZ_KEY)
    .where('nova_aggregate_host.host', 'in', hosts)
    .where('nova_aggregate_host.aggregate_id', '!=', except)
    .execute();
  for (const r of rows) out.set(r.host, [...(out.get(r.host) ?? []), r.value]);
  return out;
}

/** _check_az_for_host: a new zone must not put the aggregate's hosts in two zones. */
async function checkZoneChange(trx: ComputeTx, id: number, zone: string, fail: (reason: string) => ApiError): Promise<void> {
  const hosts = (await trx.selectFrom('nova_aggregate_host').select('host').where('aggregate_id', '=', id).execute()).map((r) => r.host);
  const conflicting = new Set<string>();
  for (const zones of (await otherZones(trx, hosts, id)).values()) for (const z of zones) if (z !== zone) conflicting.add(z);
  if (conflicting.size > 0) throw fail(`One or more hosts already in availability zone(s) [${[...conflicting].sort().map((z) => `'${z}'`).join(', ')}]`);
}

async function writeMetadata(trx: ComputeTx, id: number, metadata: Readonly<Record<string, string | null>>): Promise<void> {
  for (const [key, value] of Object.entries(metadata)) {
    await trx.deleteFrom('nova_aggregate_metadata').where('aggregate_id', '=', id).where('key', '=', key).execute();
    if (value !== null) await trx.insertInto('nova_aggregate_metadata').values({ aggregate_id: id, key, value }).execute();
  }
}

async function touch(trx: ComputeTx, id: number): Promise<void> {
  await trx.updateTable('nova_aggregate').set({ updated_at: nowIso() }).where('id', '=', id).execute();
}

export async function createAggregate(db: Kysely<ComputeDb>, name: string, zone: string | null | undefined): Promise<Aggregate> {
  const id = await inTransaction(db, async (trx) => {
    await checkNameFree(trx, name);
    const now = nowIso();
    const row: AggregateRow = { id: await nextId(trx, 'nova_aggregate'), uuid: randomUUID(), name, created_at: now, updated_at: now };
    await trx.insertInto('nova_aggregate').values(row).execute();
    if (zone) await writeMetadata(trx, row.id, { [AZ_KEY]: zone });
    return row.id;
  });
  return getAggregate(db, id);
}

export async function updateAggregate(db: Kysely<ComputeDb>, id: number, changes: { name?: string; availability_zone?: string | null }): Promise<Aggregate> {
  await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('nova_aggregate').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw aggregateNotFound(id);
    if (changes.name !== undefined) {
      await checkNameFree(trx, changes.name, id);
      await trx.updateTable('nova_aggregate').set({ name: changes.name }).where('id', '=', id).execute();
    }
    if (changes.availability_zone !== undefined) {
      if (changes.availability_zone !== null) {
        await checkZoneChange(trx, id, changes.availability_zone,
          (reason) => invalidAction(400, 'InvalidAggregateActionUpdate', `Cannot update aggregate ${id}.`, reason));
      }
      await writeMetadata(trx, id, { [AZ_KEY]: changes.availability_zone });
    }
    await touch(trx, id);
  });
  return getAggregate(db, id);
}

export async function setAggregateMetadata(db: Kysely<ComputeDb>, id: number, metadata: Readonly<Record<string, string | null>>): Promise<Aggregate> {
  await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('nova_aggregate').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw aggregateNotFound(id);
    const zone = metadata[AZ_KEY];
    if (typeof zone === 'string') {
      await checkZoneChange(trx, id, zone,
        (reason) => invalidAction(400, 'InvalidAggregateActionUpdateMeta', `Cannot update metadata of aggregate ${id}.`, reason));
    }
    await writeMetadata(trx, id, metadata);
    await touch(trx, id);
  });
  return getAggregate(db, id);
}

export async function deleteAggregate(db: Kysely<ComputeDb>, id: number): Promise<void> {
  await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('nova_aggregate').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw aggregateNotFound(id);
    const host = await trx.selectFrom('nova_aggregate_host').select('host').where('aggregate_id', '=', id).executeTakeFirst();
    if (host) throw invalidAction(400, 'InvalidAggregateActionDelete', `Cannot delete aggregate ${id}.`, 'Host aggregate is not empty');
    await trx.deleteFrom('nova_aggregate_metadata').where('aggregate_id', '=', id).execute();
    await trx.deleteFrom('nova_aggregate').where('id', '=', id).execute();
  });
}

async function checkComputeHost(trx: ComputeTx, host: string): Promise<void> {
  const service = await trx.selectFrom('nova_service').select('id').where('host', '=', host).where('binary', '=', 'nova-compute').executeTakeFirst();
  if (!service) throw computeHostNotFound(host);
}

export async function addAggregateHost(db: Kysely<ComputeDb>, id: number, host: string): Promise<Aggregate> {
  await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('nova_aggregate').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw aggregateNotFound(id);
    await checkComputeHost(trx, host);
    const member = await trx.selectFrom('nova_aggregate_host').select('host').where('aggregate_id', '=', id).where('host', '=', host).executeTakeFirst();
    if (member) throw aggregateHostExists(id, host);
    const zone = await trx.selectFrom('nova_aggregate_metadata').select('value').where('aggregate_id', '=', id).where('key', '=', AZ_KEY).executeTakeFirst();
    if (zone) {
      const other = (await otherZones(trx, [host], id)).get(host)?.find((z) => z !== zone.value);
      if (other !== undefined) {
        throw invalidAction(409, 'InvalidAggregateActionAdd', `Cannot add host to aggregate ${id}.`, `Host already in availability zone ${other}`);
      }
    }
    await trx.insertInto('nova_aggregate_host').values({ aggregate_id: id, host }).execute();
    await touch(trx, id);
  });
  return getAggregate(db, id);
}

export async function removeAggregateHost(db: Kysely<ComputeDb>, id: number, host: string): Promise<Aggregate> {
  await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('nova_aggregate').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw aggregateNotFound(id);
    await checkComputeHost(trx, host);
    const removed = await trx.deleteFrom('nova_aggregate_host').where('aggregate_id', '=', id).where('host', '=', host).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw aggregateHostNotFound(id, host);
    await touch(trx, id);
  });
  return getAggregate(db, id);
}

/** The Placement resource providers (compute node uuids) of a host. */
export async function hostProviders(db: Kysely<ComputeDb>, host: string): Promise<string[]> {
  return (await db.selectFrom('nova_compute_node').select('uuid').where('host', '=', host).orderBy('id').execute()).map((r) => r.uuid);
}

// Allocations: what each consumer holds on each provider. A write replaces the allocations of
// every consumer it names, in one transaction: consumer generations are checked (1.28), the
// capacity of every provider and class involved is checked against what is left after the
// consumer's old allocations are gone, and every provider and consumer generation involved is
// moved on with a compare-and-swap. Two writers racing for the same capacity therefore
// serialise: the loser's compare-and-swap fails, its transaction is retried, sees the winner's
// allocations and answers 409 if the capacity is gone.
import type { Kysely } from 'kysely';
import type { ConsumerRow, InventoryRow, PlacementDb } from '../db/schema.js';
import { inTransaction, type PlacementTx } from '../db/transaction.js';
import { checkAllocation } from './capacity.js';
import { badRequest, CODES, conflict, notFound, resourceClassNotFoundText } from './errors.js';
import { bumpConsumerGeneration, bumpProviderGeneration, chunks, now, num, resourceClassIds, type Db } from './store.js';

/** Placement's [placement] incomplete_consumer_project_id / _user_id defaults (before 1.8). */
export const INCOMPLETE_CONSUMER_ID = '00000000-0000-0000-0000-000000000000';

export interface ConsumerWrite {
  readonly consumerUuid: string;
  /** undefined before 1.8: the incomplete-consumer ids are used. */
  readonly projectId?: string;
  readonly userId?: string;
  /** Checked from 1.28: null means "the consumer must not exist yet". */
  readonly generation?: number | null;
  /** Set from 1.38. */
  readonly consumerType?: string;
  /** provider uuid → class → amount; empty means "remove this consumer's allocations". */
  readonly allocations: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export interface WriteOptions {
  readonly checkGeneration: boolean;
  readonly setConsumerType: boolean;
  /** PUT and POST word their 400s differently. */
  readonly style: 'put' | 'post';
}

interface PlannedAllocation { consumer: string; provider: string; rc: string; amount: number }

async function ensureConsumer(trx: PlacementTx, w: ConsumerWrite, opts: WriteOptions): Promise<ConsumerRow> {
  const projectId = w.projectId ?? INCOMPLETE_CONSUMER_ID;
  const userId = w.projectId === undefined ? INCOMPLETE_CONSUMER_ID : (w.userId ?? INCOMPLETE_CONSUMER_ID);
  const existing = await trx.selectFrom('plc_consumer').selectAll().where('uuid', '=', w.consumerUuid).executeTakeFirst();
  if (existing !== undefined) {
    if (opts.checkGeneration && existing.generation !== w.generation) {
      throw conflict(`consumer generation conflict - expected ${existing.generation} but got ${w.generation ?? 'None'}`, CODES.CONCURRENT_UPDATE);
    }
    const type = opts.setConsumerType ? (w.consumerType ?? null) : existing.consumer_type;
    if (projectId !== existing.project_id || userId !== existing.user_id || type !== existing.consumer_type) {
      await trx.updateTable('plc_consumer').set({ project_id: projectId, user_id: userId, consumer_type: type, updated_at: now() })
        .where('uuid', '=', w.consumerUuid).execute();
    }
    return { ...existing, project_id: projectId, user_id: userId, consumer_type: type };
  }
  if (opts.checkGeneration && w.generation !== null && w.generation !== undefined) {
    throw conflict(`consumer generation conflict - expected null but got ${w.generation}`, CODES.CONCURRENT_UPDATE);
  }
  const stamp = now();
  const row: ConsumerRow = {
    uuid: w.consumerUuid, project_id: projectId, user_id: userId, consumer_type: opts.setConsumerType ? (w.consumerType ?? null) : null,
    generation: 0, created_at: stamp, updated_at: stamp,
  };
  await trx.insertInto('plc_consumer').values(row).execute();
  return row;
}

async function requireProviders(trx: PlacementTx, uuids: readonly string[]): Promise<Map<string, number>> {
  const gens = new Map<string, number>();
  for (const part of chunks([...new Set(uuids)])) {
    const rows = await trx.selectFrom('plc_provider').select(['uuid', 'generation']).where('uuid', 'in', part).execute();
    for (const r of rows) gens.set(r.uuid, r.generation);
  }
  for (const uuid of uuids) {
    if (!gens.has(uuid)) throw badRequest(`Allocation for resource provider '${uuid}' that does not exist.`);
  }
  return gens;
}

/**
 * Placement's _check_capacity_exceeded, on what is left once the consumers' old allocations are
 * gone. Zero amounts mark allocations being removed: they are not checked.
 */
async function checkCapacity(trx: PlacementTx, planned: readonly PlannedAllocation[], rcIds: ReadonlyMap<string, number>): Promise<void> {
  const providers = [...new Set(planned.map((p) => p.provider))];
  const classes = [...new Set(planned.map((p) => rcIds.get(p.rc)!))];
  if (providers.length === 0) return;
  const inventories: InventoryRow[] = [];
  const usageRows: { provider_uuid: string; resource_class_id: number; used: number | string }[] = [];
  for (const part of chunks(providers)) {
    inventories.push(...await trx.selectFrom('plc_inventory').selectAll()
      .where('provider_uuid', 'in', part).where('resource_class_id', 'in', classes).execute());
    usageRows.push(...await trx.selectFrom('plc_allocation')
      .select(['provider_uuid', 'resource_class_id', (eb) => eb.fn.sum<number | string>('used').as('used')])
      .where('provider_uuid', 'in', part).where('resource_class_id', 'in', classes)
      .groupBy(['provider_uuid', 'resource_class_id']).execute());
  }
  const key = (rp: string, rc: number): string => `${rp}\u0000${rc}`;
  const inv = new Map(inventories.map((i) => [key(i.provider_uuid, i.resource_class_id), i]));
  const used = new Map(usageRows.map((u) => [key(u.provider_uuid, u.resource_class_id), num(u.used)]));
  const withInventory = new Set(inventories.map((i) => i.provider_uuid));
  const missing = providers.filter((p) => !withInventory.has(p));
  if (missing.length > 0) {
    const names = [...new Set(planned.map((p) => p.rc))];
    throw conflict(`Unable to allocate inventory: Inventory for '${names.join(', ')}' on resource provider '${missing.join(', ')}' invalid.`);
  }
  const requestTotals = new Map<string, number>();
  for (const p of planned) {
    const k = key(p.provider, rcIds.get(p.rc)!);
    requestTotals.set(k, (requestTotals.get(k) ?? 0) + p.amount);
    if (p.amount === 0) continue;
    const record = inv.get(k);
    if (record === undefined) {
      throw conflict(`Unable to allocate inventory: Inventory for '${p.rc}' on resource provider '${p.provider}' invalid.`);
    }
    const verdict = checkAllocation({ ...record, allocation_ratio: Number(record.allocation_ratio) }, used.get(k) ?? 0, p.amount, requestTotals.get(k)!);
    if (verdict === 'constraints') {
      throw conflict(`Unable to allocate inventory: Unable to create allocation for '${p.rc}' on resource provider '${p.provider}'. The requested amount would violate inventory constraints.`);
    }
    if (verdict === 'capacity') {
      throw conflict(`Unable to allocate inventory: Unable to create allocation for '${p.rc}' on resource provider '${p.provider}'. The requested amount would exceed the capacity.`);
    }
  }
}

const RACE_LOST = 'Inventory and/or allocations changed while attempting to allocate: Another thread concurrently updated the resource provider data. Please retry your update';

/** PUT /allocations/{consumer} (one write) and POST /allocations (several), atomically. */
export async function writeAllocations(db: Kysely<PlacementDb>, writes: readonly ConsumerWrite[], opts: WriteOptions): Promise<void> {
  await inTransaction(db, async (trx) => {
    const consumers = new Map<string, ConsumerRow>();
    const planned: PlannedAllocation[] = [];
    if (opts.style === 'put') {
      // PUT looks at the providers before the consumer, as placement does.
      for (const w of writes) await requireProviders(trx, [...w.allocations.keys()]);
    }
    for (const w of writes) consumers.set(w.consumerUuid, await ensureConsumer(trx, w, opts));
    for (const w of writes) {
      if (w.allocations.size > 0) {
        if (opts.style === 'post') await requireProviders(trx, [...w.allocations.keys()]);
        for (const [provider, resources] of w.allocations) {
          for (const [rc, amount] of resources) planned.push({ consumer: w.consumerUuid, provider, rc, amount });
        }
      } else {
        // An empty allocations object removes what the consumer holds (amount 0 marks removal).
        const held = await trx.selectFrom('plc_allocation').innerJoin('plc_resource_class', 'plc_resource_class.id', 'plc_allocation.resource_class_id')
          .select(['plc_allocation.provider_uuid', 'plc_resource_class.name']).where('plc_allocation.consumer_uuid', '=', w.consumerUuid).execute();
        for (const h of held) planned.push({ consumer: w.consumerUuid, provider: h.provider_uuid, rc: h.name, amount: 0 });
      }
    }
    const rcIds = await resourceClassIds(trx, planned.map((p) => p.rc));
    for (const p of planned) {
      if (!rcIds.has(p.rc)) {
        const text = resourceClassNotFoundText(p.rc);
        throw badRequest(opts.style === 'put' ? `Unable to allocate inventory for consumer ${p.consumer}: ${text}` : `Unable to allocate inventory ${text}`);
      }
    }
    // Generations are read before usage: a writer committing after this point makes our
    // compare-and-swap below fail, so usage we read can never be stale at commit.
    const providers = [...new Set(planned.map((p) => p.provider))].sort();
    const gens = await requireProviders(trx, providers);
    const touched = [...new Set(planned.map((p) => p.consumer))].sort();
    for (const part of chunks(touched)) await trx.deleteFrom('plc_allocation').where('consumer_uuid', 'in', part).execute();
    await checkCapacity(trx, planned, rcIds);
    const stamp = now();
    const rows = planned.filter((p) => p.amount > 0).map((p) => ({
      consumer_uuid: p.consumer, provider_uuid: p.provider, resource_class_id: rcIds.get(p.rc)!, used: p.amount, created_at: stamp, updated_at: stamp,
    }));
    for (let i = 0; i < rows.length; i += 200) await trx.insertInto('plc_allocation').values(rows.slice(i, i + 200)).execute();
    // The generation compare-and-swap of every provider involved: this is where racing writers meet.
    for (const rp of providers) await bumpProviderGeneration(trx, rp, gens.get(rp)!);
    for (const c of touched) await bumpConsumerGeneration(trx, c, consumers.get(c)!.generation);
    // Consumers left without allocations are forgotten (their next write starts from null).
    const all = [...consumers.keys()];
    const holding = new Set(rows.map((r) => r.consumer_uuid));
    const empty = all.filter((c) => !holding.has(c));
    for (const part of chunks(empty)) await trx.deleteFrom('plc_consumer').where('uuid', 'in', part).execute();
  }, () => conflict(RACE_LOST, CODES.CONCURRENT_UPDATE));
}

/** DELETE /allocations/{consumer}: no generation involved (placement calls it unsafe). */
export async function deleteConsumer(db: Kysely<PlacementDb>, consumerUuid: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const held = await trx.selectFrom('plc_allocation').select('provider_uuid').where('consumer_uuid', '=', consumerUuid).executeTakeFirst();
    if (held === undefined) throw notFound(`No allocations for consumer '${consumerUuid}'`);
    await trx.deleteFrom('plc_allocation').where('consumer_uuid', '=', consumerUuid).execute();
    await trx.deleteFrom('plc_consumer').where('uuid', '=', consumerUuid).execute();
  }, () => conflict(RACE_LOST, CODES.CONCURRENT_UPDATE));
}

export interface ConsumerAllocations {
  readonly consumer: ConsumerRow | undefined;
  /** provider uuid → {generation, resources} */
  readonly byProvider: Map<string, { generation: number; resources: Record<string, number> }>;
  readonly lastModified: string | undefined;
}

export async function consumerAllocations(db: Db, consumerUuid: string): Promise<ConsumerAllocations> {
  const rows = await db.selectFrom('plc_allocation')
    .innerJoin('plc_provider', 'plc_provider.uuid', 'plc_allocation.provider_uuid')
    .innerJoin('plc_resource_class', 'plc_resource_class.id', 'plc_allocation.resource_class_id')
    .select(['plc_allocation.provider_uuid', 'plc_provider.generation', 'plc_resource_class.name', 'plc_allocation.used', 'plc_allocation.created_at'])
    .where('plc_allocation.consumer_uuid', '=', consumerUuid).orderBy('plc_allocation.provider_uuid').orderBy('plc_allocation.resource_class_id').execute();
  const byProvider = new Map<string, { generation: number; resources: Record<string, number> }>();
  let lastModified: string | undefined;
  for (const r of rows) {
    let entry = byProvider.get(r.provider_uuid);
    if (entry === undefined) byProvider.set(r.provider_uuid, (entry = { generation: r.generation, resources: {} }));
    entry.resources[r.name] = r.used;
    if (lastModified === undefined || r.created_at > lastModified) lastModified = r.created_at;
  }
  const consumer = rows.length === 0 ? undefined : await db.selectFrom('plc_consumer').selectAll().where('uuid', '=', consumerUuid).executeTakeFirst();
  return { consumer, byProvider, lastModified };
}

export interface ProviderAllocations {
  /** consumer uuid → {resources, consumer generation} */
  readonly byConsumer: Map<string, { resources: Record<string, number>; generation: number | null }>;
  readonly lastModified: string | undefined;
}

export async function providerAllocations(db: Db, providerUuid: string): Promise<ProviderAllocations> {
  const rows = await db.selectFrom('plc_allocation')
    .innerJoin('plc_resource_class', 'plc_resource_class.id', 'plc_allocation.resource_class_id')
    .leftJoin('plc_consumer', 'plc_consumer.uuid', 'plc_allocation.consumer_uuid')
    .select(['plc_allocation.consumer_uuid', 'plc_resource_class.name', 'plc_allocation.used', 'plc_allocation.created_at', 'plc_consumer.generation'])
    .where('plc_allocation.provider_uuid', '=', providerUuid).orderBy('plc_allocation.consumer_uuid').orderBy('plc_allocation.resource_class_id').execute();
  const byConsumer = new Map<string, { resources: Record<string, number>; generation: number | null }>();
  let lastModified: string | undefined;
  for (const r of rows) {
    let entry = byConsumer.get(r.consumer_uuid);
    if (entry === undefined) byConsumer.set(r.consumer_uuid, (entry = { resources: {}, generation: r.generation ?? null }));
    entry.resources[r.name] = r.used;
    if (lastModified === undefined || r.created_at > lastModified) lastModified = r.created_at;
  }
  return { byConsumer, lastModified };
}

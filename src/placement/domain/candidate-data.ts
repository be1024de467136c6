// The snapshot allocation candidates are computed from: every provider with its tree, traits,
// aggregates, inventories and usage (see docs/placement.md for the scale this suits).
//
// Traits and inventories are most of the rows (tens of traits per compute node) and change
// rarely; every write to them moves the provider's generation in the same transaction. So each
// process keeps them per provider, keyed by (id, created_at, generation), and re-reads only the
// providers whose key moved — correct across processes, since the key lives in the database.
// Aggregates (written without a generation bump before 1.19) and usage are read every time.
import type { InventoryLimits } from './capacity.js';
import type { Snapshot, SnapshotProvider } from './candidates.js';
import { chunks, num, type Db } from './store.js';

interface CachedProvider {
  readonly key: string;
  readonly traits: ReadonlySet<string>;
  /** resource class id → limits. */
  readonly inventories: ReadonlyMap<number, InventoryLimits>;
}

const caches = new WeakMap<object, Map<string, CachedProvider>>();

async function refreshCache(db: Db, providers: readonly { uuid: string; key: string }[]): Promise<Map<string, CachedProvider>> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const live = new Set(providers.map((p) => p.uuid));
  for (const uuid of cache.keys()) if (!live.has(uuid)) cache.delete(uuid);
  const stale = providers.filter((p) => cache!.get(p.uuid)?.key !== p.key);
  for (const part of chunks(stale)) {
    const uuids = part.map((p) => p.uuid);
    const traits = await db.selectFrom('plc_provider_trait').innerJoin('plc_trait', 'plc_trait.id', 'plc_provider_trait.trait_id')
      .select(['plc_provider_trait.provider_uuid', 'plc_trait.name']).where('plc_provider_trait.provider_uuid', 'in', uuids).execute();
    const inventories = await db.selectFrom('plc_inventory').selectAll().where('provider_uuid', 'in', uuids).execute();
    const fresh = new Map(part.map((p) => [p.uuid, { key: p.key, traits: new Set<string>(), inventories: new Map<number, InventoryLimits>() }]));
    for (const r of traits) fresh.get(r.provider_uuid)?.traits.add(r.name);
    for (const r of inventories) fresh.get(r.provider_uuid)?.inventories.set(r.resource_class_id, { ...r, allocation_ratio: Number(r.allocation_ratio) });
    for (const [uuid, entry] of fresh) cache.set(uuid, entry);
  }
  return cache;
}

export async function loadSnapshot(db: Db): Promise<Snapshot> {
  const rows = await db.selectFrom('plc_provider').select(['uuid', 'id', 'parent_uuid', 'root_uuid', 'generation', 'created_at']).execute();
  const cache = await refreshCache(db, rows.map((p) => ({ uuid: p.uuid, key: `${p.id}:${p.created_at}:${p.generation}` })));
  const classes = new Map((await db.selectFrom('plc_resource_class').select(['id', 'name']).execute()).map((r) => [r.id, r.name]));
  const aggregates = await db.selectFrom('plc_provider_aggregate').select(['provider_uuid', 'aggregate_uuid']).execute();
  const usage = await db.selectFrom('plc_allocation')
    .select(['provider_uuid', 'resource_class_id', (eb) => eb.fn.sum<number | string>('used').as('used')])
    .groupBy(['provider_uuid', 'resource_class_id']).execute();

  const providers = new Map<string, SnapshotProvider & { aggregates: Set<string>; used: Map<string, number> }>();
  for (const p of rows) {
    const cached = cache.get(p.uuid);
    const inventories = new Map<string, InventoryLimits>();
    for (const [classId, limits] of cached?.inventories ?? []) {
      const name = classes.get(classId);
      if (name !== undefined) inventories.set(name, limits);
    }
    providers.set(p.uuid, {
      uuid: p.uuid, id: p.id, parent: p.parent_uuid, root: p.root_uuid, traits: cached?.traits ?? new Set(), aggregates: new Set(), inventories, used: new Map(),
    });
  }
  for (const r of aggregates) providers.get(r.provider_uuid)?.aggregates.add(r.aggregate_uuid);
  for (const r of usage) {
    const name = classes.get(r.resource_class_id);
    if (name !== undefined) providers.get(r.provider_uuid)?.used.set(name, num(r.used));
  }
  return { providers };
}

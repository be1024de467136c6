// The snapshot allocation candidates are computed from: every provider with its tree, traits,
// aggregates, inventories and usage (see docs/placement.md for the scale this suits).
//
// Traits and inventories are most of the rows (tens of traits per compute node) and change
// rarely; every write to them moves the provider's generation in the same transaction. So each
// process keeps them per provider, keyed by (id, created_at, generation), and re-reads only the
// providers whose key moved — correct across processes, since the key lives in the database.
// Aggregates (written without a generation bump before 1.19) and usage are read every time.
//
// A provider whose key, usage and aggregates are all as last time is handed out as the very same
// object as last time. The search keys its per-provider work on that identity (candidates.ts),
// so a scheduler asking again after one claim recomputes one provider, not a thousand.
import type { InventoryLimits } from './capacity.js';
import type { Snapshot, SnapshotProvider } from './candidates.js';
import { chunks, num, type Db } from './store.js';

interface CachedProvider {
  readonly key: string;
  readonly traits: ReadonlySet<string>;
  /** class name → limits (a class's name never changes while inventory of it exists). */
  readonly inventories: ReadonlyMap<string, InventoryLimits>;
  /** The provider as last handed out (never changed once handed out). */
  last?: SnapshotProvider;
}

const caches = new WeakMap<object, Map<string, CachedProvider>>();
const NONE: ReadonlySet<string> = new Set();
const NO_USAGE: ReadonlyMap<string, number> = new Map();

async function refreshCache(db: Db, providers: readonly { uuid: string; key: string }[]): Promise<Map<string, CachedProvider>> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  if (cache.size > providers.length) {
    const live = new Set(providers.map((p) => p.uuid));
    for (const uuid of cache.keys()) if (!live.has(uuid)) cache.delete(uuid);
  }
  const stale = providers.filter((p) => cache!.get(p.uuid)?.key !== p.key);
  if (stale.length === 0) return cache;
  const classes = new Map((await db.selectFrom('plc_resource_class').select(['id', 'name']).execute()).map((r) => [r.id, r.name]));
  for (const part of chunks(stale)) {
    const uuids = part.map((p) => p.uuid);
    const traits = await db.selectFrom('plc_provider_trait').innerJoin('plc_trait', 'plc_trait.id', 'plc_provider_trait.trait_id')
      .select(['plc_provider_trait.provider_uuid', 'plc_trait.name']).where('plc_provider_trait.provider_uuid', 'in', uuids).execute();
    const inventories = await db.selectFrom('plc_inventory').selectAll().where('provider_uuid', 'in', uuids).execute();
    const fresh = new Map(part.map((p) => [p.uuid, { key: p.key, traits: new Set<string>(), inventories: new Map<string, InventoryLimits>() }]));
    for (const r of traits) fresh.get(r.provider_uuid)?.traits.add(r.name);
    for (const r of inventories) {
      const name = classes.get(r.resource_class_id);
      if (name !== undefined) fresh.get(r.provider_uuid)?.inventories.set(name, { ...r, allocation_ratio: Number(r.allocation_ratio) });
    }
    for (const [uuid, entry] of fresh) cache.set(uuid, entry);
  }
  return cache;
}

function sameUsage(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [rc, n] of a) if (b.get(rc) !== n) return false;
  return true;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export async function loadSnapshot(db: Db): Promise<Snapshot> {
  const rows = await db.selectFrom('plc_provider').select(['uuid', 'id', 'parent_uuid', 'root_uuid', 'generation', 'created_at']).orderBy('id').execute();
  const cache = await refreshCache(db, rows.map((p) => ({ uuid: p.uuid, key: `${p.id}:${p.created_at}:${p.generation}` })));
  const aggregateRows = await db.selectFrom('plc_provider_aggregate').select(['provider_uuid', 'aggregate_uuid']).execute();
  const usageRows = await db.selectFrom('plc_allocation')
    .innerJoin('plc_resource_class', 'plc_resource_class.id', 'plc_allocation.resource_class_id')
    .select(['plc_allocation.provider_uuid', 'plc_resource_class.name', (eb) => eb.fn.sum<number | string>('plc_allocation.used').as('used')])
    .groupBy(['plc_allocation.provider_uuid', 'plc_resource_class.name']).execute();
  const aggregates = new Map<string, Set<string>>();
  for (const r of aggregateRows) {
    const set = aggregates.get(r.provider_uuid);
    if (set === undefined) aggregates.set(r.provider_uuid, new Set([r.aggregate_uuid]));
    else set.add(r.aggregate_uuid);
  }
  const usage = new Map<string, Map<string, number>>();
  for (const r of usageRows) {
    const used = usage.get(r.provider_uuid);
    if (used === undefined) usage.set(r.provider_uuid, new Map([[r.name, num(r.used)]]));
    else used.set(r.name, num(r.used));
  }

  const providers = new Map<string, SnapshotProvider>();
  for (const p of rows) {
    const cached = cache.get(p.uuid);
    const used = usage.get(p.uuid) ?? NO_USAGE;
    const aggs = aggregates.get(p.uuid) ?? NONE;
    const last = cached?.last;
    // Re-parenting moves the root of descendants without touching their generation: compare it too.
    if (last !== undefined && last.parent === p.parent_uuid && last.root === p.root_uuid && sameUsage(last.used, used) && sameSet(last.aggregates, aggs)) {
      providers.set(p.uuid, last);
      continue;
    }
    // Shared empty sets and maps for the many providers without aggregates or usage.
    const provider: SnapshotProvider = {
      uuid: p.uuid, id: p.id, parent: p.parent_uuid, root: p.root_uuid,
      traits: cached?.traits ?? NONE, aggregates: aggs, inventories: cached?.inventories ?? new Map(), used,
    };
    if (cached !== undefined) cached.last = provider;
    providers.set(p.uuid, provider);
  }
  return { providers };
}

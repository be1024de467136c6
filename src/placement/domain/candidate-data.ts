// The snapshot allocation candidates are computed from: every provider with its tree, traits,
// aggregates, inventories and usage, read in one go (see docs/placement.md for the scale this
// suits).
import type { InventoryLimits } from './capacity.js';
import type { Snapshot, SnapshotProvider } from './candidates.js';
import { num, type Db } from './store.js';

export async function loadSnapshot(db: Db): Promise<Snapshot> {
  const providers = await db.selectFrom('plc_provider').select(['uuid', 'id', 'parent_uuid', 'root_uuid']).execute();
  const classes = new Map((await db.selectFrom('plc_resource_class').select(['id', 'name']).execute()).map((r) => [r.id, r.name]));
  const traits = await db.selectFrom('plc_provider_trait').innerJoin('plc_trait', 'plc_trait.id', 'plc_provider_trait.trait_id')
    .select(['plc_provider_trait.provider_uuid', 'plc_trait.name']).execute();
  const aggregates = await db.selectFrom('plc_provider_aggregate').select(['provider_uuid', 'aggregate_uuid']).execute();
  const inventories = await db.selectFrom('plc_inventory').selectAll().execute();
  const usage = await db.selectFrom('plc_allocation')
    .select(['provider_uuid', 'resource_class_id', (eb) => eb.fn.sum<number | string>('used').as('used')])
    .groupBy(['provider_uuid', 'resource_class_id']).execute();

  const build = new Map<string, { p: SnapshotProvider; traits: Set<string>; aggs: Set<string>; inv: Map<string, InventoryLimits>; used: Map<string, number> }>();
  for (const p of providers) {
    const t = new Set<string>();
    const a = new Set<string>();
    const inv = new Map<string, InventoryLimits>();
    const used = new Map<string, number>();
    build.set(p.uuid, { p: { uuid: p.uuid, id: p.id, parent: p.parent_uuid, root: p.root_uuid, traits: t, aggregates: a, inventories: inv, used }, traits: t, aggs: a, inv, used });
  }
  for (const r of traits) build.get(r.provider_uuid)?.traits.add(r.name);
  for (const r of aggregates) build.get(r.provider_uuid)?.aggs.add(r.aggregate_uuid);
  for (const r of inventories) {
    const name = classes.get(r.resource_class_id);
    if (name !== undefined) build.get(r.provider_uuid)?.inv.set(name, { ...r, allocation_ratio: Number(r.allocation_ratio) });
  }
  for (const r of usage) {
    const name = classes.get(r.resource_class_id);
    if (name !== undefined) build.get(r.provider_uuid)?.used.set(name, num(r.used));
  }
  return { providers: new Map([...build].map(([uuid, b]) => [uuid, b.p])) };
}

// Usages: per provider (every inventoried class, 0 when unused) and per project/user (1.9),
// grouped by consumer type with a consumer count from 1.38.
import type { Db } from './store.js';
import { num } from './store.js';

export async function providerUsages(db: Db, uuid: string): Promise<Record<string, number>> {
  const inventories = await db.selectFrom('plc_inventory').innerJoin('plc_resource_class', 'plc_resource_class.id', 'plc_inventory.resource_class_id')
    .select(['plc_inventory.resource_class_id', 'plc_resource_class.name']).where('plc_inventory.provider_uuid', '=', uuid)
    .orderBy('plc_inventory.resource_class_id').execute();
  const sums = await db.selectFrom('plc_allocation').select(['resource_class_id', (eb) => eb.fn.sum<number | string>('used').as('used')])
    .where('provider_uuid', '=', uuid).groupBy('resource_class_id').execute();
  const used = new Map(sums.map((s) => [s.resource_class_id, num(s.used)]));
  const out: Record<string, number> = {};
  for (const inv of inventories) out[inv.name] = used.get(inv.resource_class_id) ?? 0;
  return out;
}

export interface UsageQuery {
  readonly projectId: string;
  readonly userId?: string;
  /** 1.38: a consumer type, 'all' or 'unknown'; undefined means "group by every type". */
  readonly consumerType?: string;
}

interface UsageRow { consumer_uuid: string; consumer_type: string | null; name: string; used: number }

async function usageRows(db: Db, q: UsageQuery): Promise<UsageRow[]> {
  let query = db.selectFrom('plc_allocation')
    .innerJoin('plc_consumer', 'plc_consumer.uuid', 'plc_allocation.consumer_uuid')
    .innerJoin('plc_resource_class', 'plc_resource_class.id', 'plc_allocation.resource_class_id')
    .select(['plc_allocation.consumer_uuid', 'plc_consumer.consumer_type', 'plc_resource_class.name', 'plc_allocation.used'])
    .where('plc_consumer.project_id', '=', q.projectId);
  if (q.userId !== undefined) query = query.where('plc_consumer.user_id', '=', q.userId);
  return query.orderBy('plc_allocation.resource_class_id').execute();
}

/** Before 1.38: {class: total}. */
export async function totalUsages(db: Db, q: UsageQuery): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await usageRows(db, q)) out[r.name] = (out[r.name] ?? 0) + r.used;
  return out;
}

/** From 1.38: {type: {consumer_count, class: total}}; 'unknown' is a consumer without type. */
export async function totalUsagesByType(db: Db, q: UsageQuery): Promise<Record<string, Record<string, number>>> {
  const groups = new Map<string, { consumers: Set<string>; totals: Record<string, number> }>();
  for (const r of await usageRows(db, q)) {
    const type = r.consumer_type ?? 'unknown';
    let key: string;
    if (q.consumerType === undefined) key = type;
    else if (q.consumerType === 'all') key = 'all';
    else if (q.consumerType === type) key = type;
    else continue;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { consumers: new Set(), totals: {} }));
    g.consumers.add(r.consumer_uuid);
    g.totals[r.name] = (g.totals[r.name] ?? 0) + r.used;
  }
  const out: Record<string, Record<string, number>> = {};
  for (const [key, g] of groups) out[key] = { consumer_count: g.consumers.size, ...g.totals };
  return out;
}

// A subnet pool as Neutron returns it; prefixes and tags in one query each for any number of pools.
import type { Kysely } from 'kysely';
import type { NetworkDb, SubnetPoolRow } from '../../db/schema.js';
import { renderStandard } from '../standard-attrs.js';
import { loadTags } from '../tags.js';
import { parseCidrs } from './prefix-space.js';

export async function loadPrefixes(db: Kysely<NetworkDb>, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = ids.length <= 500
    ? await db.selectFrom('net_subnetpool_prefix').selectAll().where('subnetpool_id', 'in', ids).execute()
    : await db.selectFrom('net_subnetpool_prefix').selectAll().execute();
  for (const row of rows) out.set(row.subnetpool_id, [...(out.get(row.subnetpool_id) ?? []), row.cidr]);
  for (const [id, list] of out) {
    const order = parseCidrs(list);
    out.set(id, list.map((text, i) => ({ text, c: order[i]! })).sort((a, b) => (a.c.network < b.c.network ? -1 : a.c.network > b.c.network ? 1 : 0)).map((x) => x.text));
  }
  return out;
}

export function renderPool(row: SubnetPoolRow, prefixes: readonly string[], tags: readonly string[]): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    prefixes: [...prefixes],
    ip_version: row.ip_version,
    // Neutron's _make_subnetpool_dict renders the prefix lengths with str(): clients (and
    // Tempest) see "29", not 29.
    default_prefixlen: String(row.default_prefixlen),
    min_prefixlen: String(row.min_prefixlen),
    max_prefixlen: String(row.max_prefixlen),
    is_default: row.is_default === 1,
    shared: row.shared === 1,
    default_quota: row.default_quota,
    address_scope_id: row.address_scope_id,
    tags: [...tags],
    ...renderStandard(row),
    project_id: row.project_id,
    tenant_id: row.project_id,
  };
}

export async function renderPools(db: Kysely<NetworkDb>, rows: readonly SubnetPoolRow[]): Promise<Record<string, unknown>[]> {
  const ids = rows.map((r) => r.id);
  const [prefixes, tags] = await Promise.all([loadPrefixes(db, ids), loadTags(db, 'subnetpools', ids)]);
  return rows.map((r) => renderPool(r, prefixes.get(r.id) ?? [], tags.get(r.id) ?? []));
}

// A port's child rows (fixed IPs, allowed address pairs, extra DHCP options, security groups,
// tags), loaded for many ports at once: one query per table, grouped in memory, so rendering a
// list of ports costs the same handful of queries whatever its length.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { IpAllocationRow, NetworkDb, PortAddressPairRow, PortDhcpOptionRow } from '../../db/schema.js';

export interface PortChildren {
  fixedIps: IpAllocationRow[];
  addressPairs: PortAddressPairRow[];
  dhcpOpts: PortDhcpOptionRow[];
  securityGroups: string[];
  tags: string[];
}

export function emptyChildren(): PortChildren {
  return { fixedIps: [], addressPairs: [], dhcpOpts: [], securityGroups: [], tags: [] };
}

/** Which ports' children to load: every port's, or those a subquery of port ids selects. */
export type PortScope = 'all' | SelectQueryBuilder<NetworkDb, 'net_port', { id: string }>;

/** Above this many ids an IN list gets slow to build and run; a scope subquery is cheaper. */
const MAX_IN_LIST = 100;

interface ChildRow { k: string; port_id: string; a: string; b: string | null; c: string | null }

/**
 * Children of every port in `ids`, in ONE query (a UNION ALL over the child tables). With many
 * ids, `scope` (the query that found them, or 'all') replaces the IN list; rows of ports outside
 * `ids` are simply dropped.
 */
export async function loadPortChildren(db: Kysely<NetworkDb>, ids: readonly string[], scope?: PortScope): Promise<Map<string, PortChildren>> {
  const byId = new Map<string, PortChildren>();
  for (const id of ids) byId.set(id, emptyChildren());
  if (ids.length === 0) return byId;
  const useScope = scope !== undefined && ids.length > MAX_IN_LIST;
  const portIds = useScope ? (scope === 'all' ? undefined : scope) : [...ids];
  const none = sql<string | null>`null`;
  const ips = db.selectFrom('net_ip_allocation')
    .select([sql.lit('i').as('k'), 'port_id', 'subnet_id as a', sql<string | null>`ip_address`.as('b'), none.as('c')]);
  const pairs = db.selectFrom('net_port_address_pair')
    .select([sql.lit('p').as('k'), 'port_id', 'ip_address as a', 'mac_address as b', none.as('c')]);
  const opts = db.selectFrom('net_port_dhcp_option')
    .select([sql.lit('o').as('k'), 'port_id', 'opt_name as a', 'opt_value as b', sql<string>`cast(ip_version as varchar(8))`.as('c')]);
  const sgs = db.selectFrom('net_port_security_group')
    .select([sql.lit('s').as('k'), 'port_id', 'security_group_id as a', none.as('b'), none.as('c')]);
  const tags = db.selectFrom('net_tag').where('resource_type', '=', 'ports')
    .select([sql.lit('t').as('k'), 'resource_id as port_id', 'tag as a', none.as('b'), none.as('c')]);
  const rows = portIds === undefined
    ? await ips.unionAll(pairs).unionAll(opts).unionAll(sgs).unionAll(tags).execute()
    : await ips.where('port_id', 'in', portIds)
      .unionAll(pairs.where('port_id', 'in', portIds))
      .unionAll(opts.where('port_id', 'in', portIds))
      .unionAll(sgs.where('port_id', 'in', portIds))
      .unionAll(tags.where('resource_id', 'in', portIds))
      .execute();
  for (const row of rows as ChildRow[]) {
    const c = byId.get(row.port_id);
    if (c === undefined) continue;
    switch (row.k) {
      case 'i': c.fixedIps.push({ port_id: row.port_id, subnet_id: row.a, network_id: '', ip_address: row.b ?? '' }); break;
      case 'p': c.addressPairs.push({ port_id: row.port_id, ip_address: row.a, mac_address: row.b ?? '' }); break;
      case 'o': c.dhcpOpts.push({ port_id: row.port_id, opt_name: row.a, opt_value: row.b ?? '', ip_version: Number(row.c) }); break;
      case 's': c.securityGroups.push(row.a); break;
      default: c.tags.push(row.a);
    }
  }
  for (const children of byId.values()) if (children.tags.length > 1) children.tags.sort();
  return byId;
}

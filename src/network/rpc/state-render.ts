// Database rows → the agent state types (agents/common/state.ts), in batches: a handful of
// queries whatever the number of networks, subnets or ports.
import type { Kysely } from 'kysely';
import type { NetworkDb, NetworkRow, PortRow, SegmentRow, SubnetRow } from '../db/schema.js';
import type { PortChildren } from '../domain/ports/children.js';
import { byCreation } from '../domain/ipam/ipam-subnets.js';
import { loadSegmentsByNetwork } from '../domain/networks/access.js';
import type { BoundPort, NetworkInfo, SubnetInfo } from '../agents/common/state.js';

/** Above this many ids a query loads the whole table instead of building a huge IN list. */
export const MAX_IN_LIST = 500;

export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

export function networkInfo(row: NetworkRow, segments: readonly SegmentRow[]): NetworkInfo {
  const first = [...segments].sort((a, b) => a.segment_index - b.segment_index)[0];
  return {
    id: row.id,
    project_id: row.project_id,
    mtu: row.mtu,
    network_type: first?.network_type ?? 'local',
    physical_network: first?.physical_network ?? null,
    segmentation_id: first?.segmentation_id ?? null,
    admin_state_up: row.admin_state_up === 1,
  };
}

export async function loadNetworkInfos(db: Kysely<NetworkDb>, ids: readonly string[]): Promise<Map<string, NetworkInfo>> {
  const out = new Map<string, NetworkInfo>();
  if (ids.length === 0) return out;
  const wanted = new Set(ids);
  const query = db.selectFrom('net_network').selectAll();
  const rows = (ids.length <= MAX_IN_LIST ? await query.where('id', 'in', [...wanted]).execute() : await query.execute())
    .filter((r) => wanted.has(r.id));
  const segments = await loadSegmentsByNetwork(db, rows.map((r) => r.id));
  for (const row of rows) out.set(row.id, networkInfo(row, segments.get(row.id) ?? []));
  return out;
}

function subnetInfo(row: SubnetRow, dns: readonly string[], routes: readonly { destination: string; nexthop: string }[]): SubnetInfo {
  return {
    id: row.id,
    network_id: row.network_id,
    ip_version: row.ip_version === 6 ? 6 : 4,
    cidr: row.cidr,
    gateway_ip: row.gateway_ip,
    enable_dhcp: row.enable_dhcp === 1,
    dns_nameservers: dns,
    host_routes: routes,
    ipv6_ra_mode: row.ipv6_ra_mode,
    ipv6_address_mode: row.ipv6_address_mode,
  };
}

/** Subnets (in creation order) of the given networks, or with the given ids. */
export async function loadSubnetInfos(db: Kysely<NetworkDb>, by: { networkIds: readonly string[] } | { subnetIds: readonly string[] }): Promise<SubnetInfo[]> {
  const ids = 'networkIds' in by ? by.networkIds : by.subnetIds;
  if (ids.length === 0) return [];
  const column = 'networkIds' in by ? 'network_id' : 'id';
  const wanted = new Set(ids);
  const query = db.selectFrom('net_subnet').selectAll();
  const rows = (ids.length <= MAX_IN_LIST ? await query.where(column, 'in', [...wanted]).execute() : await query.execute())
    .filter((r) => wanted.has(r[column])).sort(byCreation);
  if (rows.length === 0) return [];
  const subnetIds = rows.map((r) => r.id);
  const inList = subnetIds.length <= MAX_IN_LIST;
  const dnsQuery = db.selectFrom('net_subnet_dns').selectAll().orderBy('subnet_id').orderBy('position');
  const routeQuery = db.selectFrom('net_subnet_route').selectAll().orderBy('subnet_id').orderBy('destination');
  const [dns, routes] = await Promise.all([
    inList ? dnsQuery.where('subnet_id', 'in', subnetIds).execute() : dnsQuery.execute(),
    inList ? routeQuery.where('subnet_id', 'in', subnetIds).execute() : routeQuery.execute(),
  ]);
  const dnsBy = new Map<string, string[]>();
  for (const d of dns) dnsBy.set(d.subnet_id, [...(dnsBy.get(d.subnet_id) ?? []), d.address]);
  const routesBy = new Map<string, { destination: string; nexthop: string }[]>();
  for (const r of routes) routesBy.set(r.subnet_id, [...(routesBy.get(r.subnet_id) ?? []), { destination: r.destination, nexthop: r.nexthop }]);
  return rows.map((row) => subnetInfo(row, dnsBy.get(row.id) ?? [], routesBy.get(row.id) ?? []));
}

/** An allowed address pair or member address as a plain address when it is a single host. */
export function plainAddress(address: string): string {
  const m = /^(.*)\/(32|128)$/.exec(address);
  return m === null ? address : m[1]!;
}

export function boundPort(row: PortRow, children: PortChildren): BoundPort {
  return {
    id: row.id,
    network_id: row.network_id,
    mac_address: row.mac_address,
    admin_state_up: row.admin_state_up === 1,
    status: row.status,
    device_owner: row.device_owner,
    device_id: row.device_id,
    fixed_ips: children.fixedIps.map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
    port_security_enabled: row.port_security_enabled === 1,
    security_group_ids: [...children.securityGroups].sort(),
    allowed_address_pairs: children.addressPairs.map((p) => ({ ip_address: plainAddress(p.ip_address), mac_address: p.mac_address })),
  };
}

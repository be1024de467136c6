// A subnet as Neutron returns it. Child rows (pools, DNS servers, routes, service types, tags)
// come in one query per kind for any number of subnets.
import type { Kysely } from 'kysely';
import type { NetworkDb, SubnetRow } from '../../db/schema.js';
import { renderStandard } from '../standard-attrs.js';
import { loadTags } from '../tags.js';

export interface SubnetChildren {
  readonly pools: { start: string; end: string }[];
  readonly dns: string[];
  readonly routes: { destination: string; nexthop: string }[];
  readonly serviceTypes: string[];
  readonly tags: string[];
}

function groupBy<T extends { subnet_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row.subnet_id);
    if (list === undefined) out.set(row.subnet_id, [row]);
    else list.push(row);
  }
  return out;
}

/** Children of many subnets; beyond 500 ids the whole tables are read (cheaper than huge IN lists). */
export async function loadSubnetChildren(db: Kysely<NetworkDb>, ids: readonly string[]): Promise<Map<string, SubnetChildren>> {
  const out = new Map<string, SubnetChildren>();
  if (ids.length === 0) return out;
  const few = ids.length <= 500;
  const [pools, dns, routes, types, tags] = await Promise.all([
    (few ? db.selectFrom('net_subnet_pool_range').selectAll().where('subnet_id', 'in', ids) : db.selectFrom('net_subnet_pool_range').selectAll()).execute(),
    (few ? db.selectFrom('net_subnet_dns').selectAll().where('subnet_id', 'in', ids) : db.selectFrom('net_subnet_dns').selectAll()).execute(),
    (few ? db.selectFrom('net_subnet_route').selectAll().where('subnet_id', 'in', ids) : db.selectFrom('net_subnet_route').selectAll()).execute(),
    (few ? db.selectFrom('net_subnet_service_type').selectAll().where('subnet_id', 'in', ids) : db.selectFrom('net_subnet_service_type').selectAll()).execute(),
    loadTags(db, 'subnets', ids),
  ]);
  const [p, d, r, t] = [groupBy(pools), groupBy(dns), groupBy(routes), groupBy(types)];
  for (const id of ids) {
    out.set(id, {
      pools: (p.get(id) ?? []).sort((a, b) => a.position - b.position).map((x) => ({ start: x.first_ip, end: x.last_ip })),
      dns: (d.get(id) ?? []).sort((a, b) => a.position - b.position).map((x) => x.address),
      routes: (r.get(id) ?? []).map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
      serviceTypes: (t.get(id) ?? []).map((x) => x.service_type).sort(),
      tags: tags.get(id) ?? [],
    });
  }
  return out;
}

export interface RenderOptions {
  /** get_subnet:segment_id: only admins see the segment by default. */
  readonly showSegment: boolean;
}

export function renderSubnet(row: SubnetRow, children: SubnetChildren | undefined, options: RenderOptions): Record<string, unknown> {
  const item: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    network_id: row.network_id,
    ip_version: row.ip_version,
    cidr: row.cidr,
    gateway_ip: row.gateway_ip,
    allocation_pools: children?.pools ?? [],
    host_routes: children?.routes ?? [],
    dns_nameservers: children?.dns ?? [],
    enable_dhcp: row.enable_dhcp === 1,
    ipv6_ra_mode: row.ipv6_ra_mode,
    ipv6_address_mode: row.ipv6_address_mode,
    subnetpool_id: row.subnetpool_id,
    service_types: children?.serviceTypes ?? [],
    dns_publish_fixed_ip: row.dns_publish_fixed_ip === 1,
    tags: children?.tags ?? [],
    ...renderStandard(row),
    project_id: row.project_id,
    tenant_id: row.project_id,
  };
  if (options.showSegment) item.segment_id = row.segment_id;
  return item;
}

// A network's subnets as IPAM needs them: parsed CIDR, pools and service types, in creation
// order. Three small queries (subnets, pools, service types) whatever the subnet count.
import type { Kysely } from 'kysely';
import type { NetworkDb, SubnetRow } from '../../db/schema.js';
import { tryParseCidrLoose, type Cidr } from '../../ipam/cidr.js';
import { tryParseIp } from '../../ipam/ip-address.js';
import type { IpRange } from '../../ipam/ip-range.js';
import { isAutoAddressMode } from '../../ipam/ipv6-modes.js';

export interface IpamSubnet {
  readonly row: SubnetRow;
  readonly cidr: Cidr;
  readonly pools: readonly IpRange[];
  readonly serviceTypes: readonly string[];
  /** SLAAC / DHCPv6-stateless: addresses are EUI-64, computed from the port's MAC. */
  readonly autoAddress: boolean;
  readonly gateway: bigint | null;
}

export function isAutoAddressSubnet(row: Pick<SubnetRow, 'ip_version' | 'ipv6_address_mode' | 'ipv6_ra_mode'>): boolean {
  return row.ip_version === 6 && isAutoAddressMode(row.ipv6_address_mode, row.ipv6_ra_mode);
}

/** Subnets ordered as Neutron creates them: creation time, then the finer creation sequence. */
export function byCreation(a: SubnetRow, b: SubnetRow): number {
  const ka = `${a.created_at}|${a.created_seq ?? ''}|${a.id}`;
  const kb = `${b.created_at}|${b.created_seq ?? ''}|${b.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

let seqCounter = 0;
/** A per-process monotonic key: created_at has one-second precision, too coarse to order subnets. */
export function nextCreatedSeq(): string {
  seqCounter = (seqCounter + 1) % 1_000_000;
  return `${String(Date.now()).padStart(15, '0')}${String(seqCounter).padStart(6, '0')}`;
}

export function toIpamSubnet(row: SubnetRow, pools: readonly { first_ip: string; last_ip: string }[], serviceTypes: readonly string[]): IpamSubnet {
  const cidr = tryParseCidrLoose(row.cidr)?.cidr;
  if (cidr === undefined) throw new Error(`subnet ${row.id} has an unreadable cidr ${row.cidr}`);
  const ranges: IpRange[] = [];
  for (const p of pools) {
    const first = tryParseIp(p.first_ip);
    const last = tryParseIp(p.last_ip);
    if (first && last) ranges.push({ version: first.version, first: first.value, last: last.value });
  }
  const gateway = row.gateway_ip === null ? null : tryParseIp(row.gateway_ip)?.value ?? null;
  return { row, cidr, pools: ranges, serviceTypes, autoAddress: isAutoAddressSubnet(row), gateway };
}

/** Every subnet of a network, ready for allocation, in creation order. */
export async function loadNetworkIpamSubnets(db: Kysely<NetworkDb>, networkId: string): Promise<IpamSubnet[]> {
  const rows = await db.selectFrom('net_subnet').selectAll().where('network_id', '=', networkId).execute();
  if (rows.length === 0) return [];
  rows.sort(byCreation);
  const ids = rows.map((r) => r.id);
  const [pools, types] = await Promise.all([
    db.selectFrom('net_subnet_pool_range').select(['subnet_id', 'first_ip', 'last_ip', 'position']).where('subnet_id', 'in', ids).execute(),
    db.selectFrom('net_subnet_service_type').select(['subnet_id', 'service_type']).where('subnet_id', 'in', ids).execute(),
  ]);
  pools.sort((a, b) => a.position - b.position);
  return rows.map((row) => toIpamSubnet(
    row,
    pools.filter((p) => p.subnet_id === row.id),
    types.filter((t) => t.subnet_id === row.id).map((t) => t.service_type).sort(),
  ));
}

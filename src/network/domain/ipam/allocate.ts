// DB-backed IPAM for ports: the addresses a new port gets, the changes a port update makes to
// them, and their release. Every function works inside the caller's transaction; the
// net_ip_allocation primary key (subnet_id, ip_address) is the race guard (see pick-address.ts).
import type { Kysely } from 'kysely';
import type { IpAllocationRow, NetworkDb, NetworkRow, SubnetRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import { eui64String } from '../../ipam/eui64.js';
import { formatIp, tryParseIp } from '../../ipam/ip-address.js';
import { isPlausibleId } from '../networks/access.js';
import { ipAlreadyAllocated, ipGenerationFailure } from './ip-errors.js';
import { loadNetworkIpamSubnets, type IpamSubnet } from './ipam-subnets.js';
import { isAllocated, pickFreeAddress } from './pick-address.js';
import {
  autoAddressRequests, candidateSubnets, defaultRequests, resolveFixedIps, type AllocationRequest, type FixedIpRequest,
} from './resolve-requests.js';
import { ROUTER_INTERFACE_OWNERS_SNAT } from './owners.js';

export type { FixedIpRequest } from './resolve-requests.js';

export interface PortIpSpec {
  readonly network: Pick<NetworkRow, 'id'>;
  readonly portId: string;
  readonly mac: string;
  /** undefined: Neutron's default allocation; [] : no explicit addresses (SLAAC ones still come). */
  readonly requested: readonly FixedIpRequest[] | undefined;
  readonly deviceOwner: string;
  /** Kept for policy-sensitive choices; Neutron lets admins and network owners pick any address. */
  readonly isAdmin: boolean;
}

export interface PortIpUpdateSpec extends PortIpSpec {
  readonly requested: readonly FixedIpRequest[];
  /** The port's current allocations; loaded when omitted. */
  readonly current?: readonly IpAllocationRow[];
}

export interface PortIpChanges {
  /** The port's allocations after the update (kept first, then added). */
  readonly fixedIps: IpAllocationRow[];
  readonly added: IpAllocationRow[];
  readonly removed: IpAllocationRow[];
}

/** Allocates every request (in order) and inserts the rows in one statement. */
async function allocateAll(trx: NetworkTx, spec: PortIpSpec, requests: readonly AllocationRequest[]): Promise<IpAllocationRow[]> {
  const taken = new Map<string, Set<string>>();
  const takenIn = (subnetId: string): Set<string> => {
    let set = taken.get(subnetId);
    if (set === undefined) taken.set(subnetId, (set = new Set()));
    return set;
  };
  const rows: IpAllocationRow[] = [];
  const add = (subnet: IpamSubnet, ip: string): void => {
    takenIn(subnet.row.id).add(ip);
    rows.push({ port_id: spec.portId, subnet_id: subnet.row.id, network_id: spec.network.id, ip_address: ip });
  };
  for (const request of requests) {
    if (request.kind === 'any') {
      let done = false;
      for (const subnet of request.subnets) {
        const ip = await pickFreeAddress(trx, subnet, takenIn(subnet.row.id));
        if (ip !== undefined) { add(subnet, ip); done = true; break; }
      }
      if (!done) throw ipGenerationFailure(spec.network.id);
      continue;
    }
    const ip = request.kind === 'specific' ? request.ip : eui64String(request.subnet.cidr, spec.mac);
    if (takenIn(request.subnet.row.id).has(ip) || await isAllocated(trx, request.subnet.row.id, ip)) {
      throw ipAlreadyAllocated(ip, request.subnet.row.id);
    }
    add(request.subnet, ip);
  }
  if (rows.length > 0) await trx.insertInto('net_ip_allocation').values(rows).execute();
  return rows;
}

/** The addresses of a new port (Neutron's _allocate_ips_for_port), inserted and returned. */
export async function allocatePortIps(trx: NetworkTx, spec: PortIpSpec): Promise<IpAllocationRow[]> {
  const subnets = await loadNetworkIpamSubnets(trx, spec.network.id);
  if (subnets.length === 0 && (spec.requested === undefined || spec.requested.length === 0)) return [];
  const candidates = candidateSubnets(subnets, spec.network.id, spec.deviceOwner);
  const requests = spec.requested === undefined
    ? defaultRequests(candidates)
    : await resolveFixedIps(trx, spec.requested, candidates, spec.deviceOwner);
  requests.push(...autoAddressRequests(candidates, spec.deviceOwner));
  return allocateAll(trx, spec, requests);
}

/**
 * A port update's new fixed_ips (Neutron's _get_changed_ips_for_port): entries naming an address
 * the port has keep it, subnet-only entries keep the port's address on that subnet, the rest are
 * allocated; addresses no longer listed are released, except SLAAC ones (kept for non-routers).
 */
export async function updatePortIps(trx: NetworkTx, spec: PortIpUpdateSpec): Promise<PortIpChanges> {
  const current = spec.current ?? await trx.selectFrom('net_ip_allocation').selectAll().where('port_id', '=', spec.portId).execute();
  const subnets = await loadNetworkIpamSubnets(trx, spec.network.id);
  const byId = new Map(subnets.map((s) => [s.row.id, s]));
  const kept: IpAllocationRow[] = [];
  const toAdd: FixedIpRequest[] = [];
  const origByIp = new Map(current.map((ip) => [ip.ip_address, ip]));
  for (const fixed of spec.requested) {
    if (fixed.ip_address === undefined) continue;
    const canonical = canonicalOrSame(fixed.ip_address);
    const orig = origByIp.get(canonical);
    if (orig !== undefined) { kept.push(orig); origByIp.delete(canonical); } else toAdd.push(fixed);
  }
  const remaining = [...origByIp.values()];
  for (const fixed of spec.requested) {
    if (fixed.ip_address !== undefined) continue;
    const at = remaining.findIndex((ip) => ip.subnet_id === fixed.subnet_id);
    if (at < 0) toAdd.push(fixed);
    else kept.push(...remaining.splice(at, 1));
  }
  const removed: IpAllocationRow[] = [];
  for (const ip of remaining) {
    const subnet = byId.get(ip.subnet_id);
    const required = ROUTER_INTERFACE_OWNERS_SNAT.includes(spec.deviceOwner) || subnet === undefined || !subnet.autoAddress;
    if (required) removed.push(ip); else kept.push(ip);
  }
  const candidates = subnets.length === 0 ? [] : candidateSubnets(subnets, spec.network.id, spec.deviceOwner);
  const requests = await resolveFixedIps(trx, toAdd, candidates, spec.deviceOwner);
  for (const ip of removed) {
    await trx.deleteFrom('net_ip_allocation').where('subnet_id', '=', ip.subnet_id).where('ip_address', '=', ip.ip_address).execute();
  }
  const handled = new Set([...kept, ...removed].map((ip) => ip.subnet_id));
  for (const r of requests) if (r.kind !== 'any') handled.add(r.subnet.row.id); else for (const s of r.subnets) handled.add(s.row.id);
  requests.push(...autoAddressRequests(candidates, spec.deviceOwner, handled));
  const added = await allocateAll(trx, spec, requests);
  return { fixedIps: [...kept, ...added], added, removed };
}

/** Stored addresses are canonical; compare requests in the same form. */
function canonicalOrSame(text: string): string {
  const ip = typeof text === 'string' ? tryParseIp(text) : undefined;
  return ip === undefined ? text : formatIp(ip);
}

/** Releases every address of a port (before or with its deletion); returns what was freed. */
export async function releasePortIps(trx: NetworkTx, portId: string): Promise<IpAllocationRow[]> {
  const rows = await trx.selectFrom('net_ip_allocation').selectAll().where('port_id', '=', portId).execute();
  if (rows.length > 0) await trx.deleteFrom('net_ip_allocation').where('port_id', '=', portId).execute();
  return rows;
}

/** Subnet rows by id (one query); unknown or implausible ids are simply absent. */
export async function loadSubnets(db: Kysely<NetworkDb>, ids: readonly string[]): Promise<Map<string, SubnetRow>> {
  const wanted = [...new Set(ids.filter(isPlausibleId))];
  const out = new Map<string, SubnetRow>();
  if (wanted.length === 0) return out;
  const rows = await db.selectFrom('net_subnet').selectAll().where('id', 'in', wanted).execute();
  for (const row of rows) out.set(row.id, row);
  return out;
}

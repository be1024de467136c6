// Turning a port's requested fixed_ips into concrete allocation requests, as Neutron's
// _test_fixed_ips_for_port / _get_subnet_for_fixed_ip do: which subnet each entry means, whether
// a named address is valid there, and the subnets a port may draw from (service types).
import type { Kysely } from 'kysely';
import type { NetworkDb } from '../../db/schema.js';
import { cidrContains, lastAddress } from '../../ipam/cidr.js';
import { formatIp, tryParseIp } from '../../ipam/ip-address.js';
import { invalidInput, subnetNotFound } from '../errors.js';
import type { IpamSubnet } from './ipam-subnets.js';
import { allocationOnAutoAddressSubnet, invalidIpForNetwork, invalidIpForSubnet, invalidSubnetForPort, noMatchingServiceSubnet } from './ip-errors.js';
import { DEVICE_OWNER_DHCP, ROUTER_INTERFACE_OWNERS, ROUTER_INTERFACE_OWNERS_SNAT, ROUTER_PORT_OWNERS } from './owners.js';

/** One entry of a port's fixed_ips as the API received it. */
export interface FixedIpRequest { subnet_id?: string; ip_address?: string }

/** A concrete request: a named address, any address of one of `subnets` (first with room), or EUI-64. */
export type AllocationRequest =
  | { readonly kind: 'specific'; readonly subnet: IpamSubnet; readonly ip: string }
  | { readonly kind: 'any'; readonly subnets: readonly IpamSubnet[] }
  | { readonly kind: 'eui64'; readonly subnet: IpamSubnet };

/**
 * Subnets a port with this device_owner may take addresses from: those without service types,
 * those listing the owner, and (for DHCP ports) any DHCP-enabled subnet. Subnets with service
 * types come first. A network with subnets but none eligible is an error; with none, no IPs.
 */
export function candidateSubnets(subnets: readonly IpamSubnet[], networkId: string, deviceOwner: string): IpamSubnet[] {
  if (subnets.length === 0) return [];
  const eligible = subnets.filter((s) => s.serviceTypes.length === 0 || s.serviceTypes.includes(deviceOwner)
    || (deviceOwner === DEVICE_OWNER_DHCP && s.row.enable_dhcp === 1));
  if (eligible.length === 0) throw noMatchingServiceSubnet(networkId, deviceOwner);
  return [...eligible.filter((s) => s.serviceTypes.length > 0), ...eligible.filter((s) => s.serviceTypes.length === 0)];
}

/**
 * neutron ipam utils check_subnet_ip: inside the subnet; for IPv4 not the network or broadcast
 * address; for IPv6 not the network (subnet-router anycast) address unless a router owns the port.
 */
export function isValidIpForSubnet(subnet: IpamSubnet, ipText: string, deviceOwner: string): boolean {
  const ip = tryParseIp(ipText);
  const cidr = subnet.cidr;
  if (ip === undefined || !cidrContains(cidr, ip)) return false;
  if (cidr.version === 6) return ip.value !== cidr.network || deviceOwner === '' || ROUTER_PORT_OWNERS.includes(deviceOwner);
  return ip.value !== cidr.network && (cidr.prefixlen > 30 || ip.value !== lastAddress(cidr));
}

async function subnetFor(db: Kysely<NetworkDb>, fixed: FixedIpRequest, candidates: readonly IpamSubnet[], deviceOwner: string): Promise<IpamSubnet> {
  if (candidates.length === 0) throw invalidInput('IP allocation requires subnets for network');
  if (fixed.subnet_id !== undefined) {
    const subnet = candidates.find((s) => s.row.id === fixed.subnet_id);
    if (subnet === undefined) {
      const other = typeof fixed.subnet_id === 'string' && fixed.subnet_id.length <= 64
        ? await db.selectFrom('net_subnet').select('network_id').where('id', '=', fixed.subnet_id).executeTakeFirst()
        : undefined;
      if (other === undefined) throw subnetNotFound(String(fixed.subnet_id));
      throw invalidSubnetForPort(other.network_id, fixed.subnet_id);
    }
    if (fixed.ip_address !== undefined && !isValidIpForSubnet(subnet, fixed.ip_address, deviceOwner)) {
      throw invalidIpForSubnet(String(fixed.ip_address));
    }
    return subnet;
  }
  if (fixed.ip_address === undefined) throw invalidInput('IP allocation requires subnet_id or ip_address');
  const subnet = candidates.find((s) => isValidIpForSubnet(s, fixed.ip_address as string, deviceOwner));
  if (subnet === undefined) throw invalidIpForNetwork(String(fixed.ip_address));
  return subnet;
}

/** The explicit part of a port's fixed_ips; SLAAC subnets are added separately (autoAddressRequests). */
export async function resolveFixedIps(db: Kysely<NetworkDb>, fixedIps: readonly FixedIpRequest[], candidates: readonly IpamSubnet[], deviceOwner: string): Promise<AllocationRequest[]> {
  const out: AllocationRequest[] = [];
  for (const fixed of fixedIps) {
    const subnet = await subnetFor(db, fixed, candidates, deviceOwner);
    if (fixed.ip_address !== undefined) {
      const ip = formatIp(tryParseIp(fixed.ip_address)!);
      if (subnet.autoAddress && !ROUTER_INTERFACE_OWNERS.includes(deviceOwner)) throw allocationOnAutoAddressSubnet(ip, subnet.row.id);
      out.push({ kind: 'specific', subnet, ip });
    } else if (ROUTER_INTERFACE_OWNERS_SNAT.includes(deviceOwner) || !subnet.autoAddress) {
      out.push({ kind: 'any', subnets: [subnet] });
    }
  }
  return out;
}

/** Neutron's default: one IPv4 address (first subnet with room), one stateful IPv6 address likewise. */
export function defaultRequests(candidates: readonly IpamSubnet[]): AllocationRequest[] {
  const v4 = candidates.filter((s) => s.cidr.version === 4);
  const v6 = candidates.filter((s) => s.cidr.version === 6 && !s.autoAddress);
  return [v4, v6].filter((list) => list.length > 0).map((subnets) => ({ kind: 'any', subnets }));
}

/** Every SLAAC / DHCPv6-stateless subnet gives non-router ports an EUI-64 address. */
export function autoAddressRequests(candidates: readonly IpamSubnet[], deviceOwner: string, exclude: ReadonlySet<string> = new Set()): AllocationRequest[] {
  if (ROUTER_INTERFACE_OWNERS_SNAT.includes(deviceOwner)) return [];
  return candidates.filter((s) => s.autoAddress && !exclude.has(s.row.id)).map((subnet) => ({ kind: 'eui64', subnet }));
}

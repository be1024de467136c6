import { IpamError, invalidInput } from './errors.js';
import { cidrContains, lastAddress } from './cidr.js';
import type { Cidr } from './cidr.js';
import { formatIp, tryParseIp } from './ip-address.js';
import type { IpAddress } from './ip-address.js';
import { normalizeRanges, rangeSize, subtractAddresses } from './ip-range.js';
import type { IpRange } from './ip-range.js';

/** Neutron's IPAM driver draws at random from the first 1000 free addresses. */
export const RANDOM_WINDOW = 1000;

/** Free space of the pools: never materialised, so a /64 costs as much as a /30. */
export function freeRanges(pools: readonly IpRange[], used: Iterable<bigint>): IpRange[] {
  return subtractAddresses(pools, used);
}

/** Number of allocatable addresses (network-ip-availability's total/used base). */
export function countAddresses(ranges: readonly IpRange[]): bigint {
  return normalizeRanges(ranges).reduce((n, r) => n + rangeSize(r), 0n);
}

export function countAvailable(pools: readonly IpRange[], used: Iterable<bigint>): bigint {
  return countAddresses(freeRanges(pools, used));
}

export function firstFree(pools: readonly IpRange[], used: Iterable<bigint>): IpAddress | undefined {
  const r = freeRanges(pools, used)[0];
  return r ? { version: r.version, value: r.first } : undefined;
}

/**
 * A random free address among the first `window` free ones, as Neutron does:
 * concurrent allocators rarely pick the same address, and the loser of a race
 * retries. `random` returns [0, 1) and is injectable for tests.
 */
export function randomFree(
  pools: readonly IpRange[],
  used: Iterable<bigint>,
  random: () => number = Math.random,
  window = RANDOM_WINDOW,
): IpAddress | undefined {
  const free = freeRanges(pools, used);
  const total = countAddresses(free);
  if (total === 0n) return undefined;
  const span = total < BigInt(window) ? total : BigInt(window);
  let index = BigInt(Math.floor(random() * Number(span)));
  for (const r of free) {
    const size = rangeSize(r);
    if (index < size) return { version: r.version, value: r.first + index };
    index -= size;
  }
  return undefined;
}

/** Throws Neutron's IpAddressGenerationFailure when the network has no free address. */
export function allocateOrFail(
  pools: readonly IpRange[],
  used: Iterable<bigint>,
  networkId: string,
  random: () => number = Math.random,
): IpAddress {
  const ip = randomFree(pools, used, random);
  if (!ip) throw new IpamError('IpAddressGenerationFailure', `No more IP addresses available on network ${networkId}.`);
  return ip;
}

/**
 * A specifically requested fixed IP (Neutron's `check_subnet_ip`): it must lie in
 * the subnet, but need not be in a pool; in IPv4 it may not be the network or
 * broadcast address, in IPv6 not the subnet-router anycast (network) address
 * unless the port is a router's. Already-used addresses conflict; auto-address
 * (SLAAC) subnets refuse a chosen address except for router ports.
 */
export function checkRequestedIp(
  cidr: Cidr,
  requested: string,
  used: ReadonlySet<bigint>,
  subnetId: string,
  opts: { readonly routerPort?: boolean; readonly autoAddress?: boolean } = {},
): IpAddress {
  const ip = tryParseIp(requested);
  // SLAAC / DHCPv6-stateless addresses are computed from the MAC, not chosen.
  if (ip && opts.autoAddress && !opts.routerPort) {
    throw invalidInput(
      `IPv6 address ${formatIp(ip)} cannot be directly assigned to a port on subnet ${subnetId} ` +
        'as the subnet is configured for automatic addresses',
    );
  }
  const invalid = (): IpamError =>
    new IpamError('InvalidIpForSubnet', `IP address ${String(requested)} is not a valid IP for the specified subnet.`);
  if (!ip || !cidrContains(cidr, ip)) throw invalid();
  if (cidr.version === 4 && (ip.value === cidr.network || ip.value === lastAddress(cidr)) && cidr.prefixlen <= 30) {
    throw invalid();
  }
  if (cidr.version === 6 && ip.value === cidr.network && !opts.routerPort) throw invalid();
  if (used.has(ip.value)) {
    throw new IpamError('IpAddressAlreadyAllocated', `IP address ${formatIp(ip)} already allocated in subnet ${subnetId}`);
  }
  return ip;
}

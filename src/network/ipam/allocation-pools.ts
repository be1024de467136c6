import { IpamError } from './errors.js';
import { formatCidr, lastAddress } from './cidr.js';
import type { Cidr } from './cidr.js';
import { formatIp, tryParseIp } from './ip-address.js';
import type { IpAddress } from './ip-address.js';
import { formatRange, rangesOverlap, subtractAddresses } from './ip-range.js';
import type { IpRange } from './ip-range.js';

export interface AllocationPoolInput {
  readonly start: string;
  readonly end: string;
}

/** Python's repr of the request dict, which Neutron puts in InvalidAllocationPool. */
function poolRepr(p: AllocationPoolInput): string {
  return `{'start': '${String(p.start)}', 'end': '${String(p.end)}'}`;
}

/** netaddr.IPRange(start, end): both valid, same version, start <= end. */
export function parsePool(p: AllocationPoolInput): IpRange {
  const start = tryParseIp(p.start);
  const end = tryParseIp(p.end);
  if (!start || !end || start.version !== end.version || start.value > end.value) {
    throw new IpamError('InvalidAllocationPool', `The allocation pool ${poolRepr(p)} is not valid.`);
  }
  return { version: start.version, first: start.value, last: end.value };
}

/**
 * Neutron's `validate_allocation_pools`: right version, inside the subnet
 * (never the network address, nor the IPv4 broadcast), no two pools overlapping.
 */
export function validateAllocationPools(pools: readonly IpRange[], cidr: Cidr): void {
  const cidrText = formatCidr(cidr);
  const minFirst = cidr.network + 1n;
  const maxLast = lastAddress(cidr) - (cidr.version === 4 ? 1n : 0n);
  for (const pool of pools) {
    if (pool.version !== cidr.version) {
      throw new IpamError('InvalidAllocationPool', `The allocation pool ${formatRange(pool)} is not valid.`);
    }
    if (pool.first < minFirst || pool.last > maxLast) {
      throw new IpamError(
        'OutOfBoundsAllocationPool',
        `The allocation pool ${formatRange(pool)} spans beyond the subnet cidr ${cidrText}.`,
      );
    }
  }
  for (let l = 0; l < pools.length; l++) {
    for (let r = l + 1; r < pools.length; r++) {
      const a = pools[l];
      const b = pools[r];
      if (a && b && rangesOverlap(a, b)) {
        throw new IpamError(
          'OverlappingAllocationPools',
          `Found overlapping allocation pools: ${formatRange(a)} ${formatRange(b)} for subnet ${cidrText}.`,
        );
      }
    }
  }
}

/** Neutron's `_validate_gw_out_of_pools`: the gateway may not be handed out. */
export function validateGatewayOutOfPools(gateway: IpAddress, pools: readonly IpRange[]): void {
  for (const pool of pools) {
    if (pool.version === gateway.version && gateway.value >= pool.first && gateway.value <= pool.last) {
      throw new IpamError(
        'GatewayConflictWithAllocationPools',
        `Gateway ip ${formatIp(gateway)} conflicts with allocation pool ${formatRange(pool)}.`,
      );
    }
  }
}

/**
 * Neutron's `generate_pools`: every host address of the prefix, minus the
 * network address (and the IPv4 broadcast) except on IPv4 /31 and /32 where
 * every address is usable (RFC 3021), then split around the gateway.
 */
export function defaultAllocationPools(cidr: Cidr, gateway: IpAddress | null): IpRange[] {
  const first = cidr.network;
  const last = lastAddress(cidr);
  if (first === last) return [{ version: cidr.version, first, last }];
  let range: IpRange;
  if (cidr.version === 4 && cidr.prefixlen > 30) range = { version: 4, first, last };
  else range = { version: cidr.version, first: first + 1n, last: last - (cidr.version === 4 ? 1n : 0n) };
  const used = gateway && gateway.version === cidr.version ? [gateway.value] : [];
  return subtractAddresses([range], used);
}

export function poolToInput(pool: IpRange): AllocationPoolInput {
  return {
    start: formatIp({ version: pool.version, value: pool.first }),
    end: formatIp({ version: pool.version, value: pool.last }),
  };
}

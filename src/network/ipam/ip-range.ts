import { formatIp } from './ip-address.js';
import type { IpVersion } from './ip-address.js';

/** An inclusive address range; the unit pools and free space are kept in, never expanded. */
export interface IpRange {
  readonly version: IpVersion;
  readonly first: bigint;
  readonly last: bigint;
}

export function rangeSize(r: IpRange): bigint {
  return r.last - r.first + 1n;
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.version === b.version && a.first <= b.last && b.first <= a.last;
}

/** netaddr's IPRange string form, used inside Neutron's messages: `start-end`. */
export function formatRange(r: IpRange): string {
  const v = r.version;
  return `${formatIp({ version: v, value: r.first })}-${formatIp({ version: v, value: r.last })}`;
}

/** Sorts and merges overlapping or adjacent ranges. */
export function normalizeRanges(ranges: readonly IpRange[]): IpRange[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: IpRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1n) {
      if (r.last > prev.last) out[out.length - 1] = { ...prev, last: r.last };
    } else {
      out.push(r);
    }
  }
  return out;
}

/** Removes single addresses from ranges without materialising the ranges. */
export function subtractAddresses(ranges: readonly IpRange[], used: Iterable<bigint>): IpRange[] {
  const holes = [...new Set(used)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: IpRange[] = [];
  for (const r of normalizeRanges(ranges)) {
    let cursor = r.first;
    for (const h of holes) {
      if (h < cursor || h > r.last) continue;
      if (h > cursor) out.push({ version: r.version, first: cursor, last: h - 1n });
      cursor = h + 1n;
    }
    if (cursor <= r.last) out.push({ version: r.version, first: cursor, last: r.last });
  }
  return out;
}

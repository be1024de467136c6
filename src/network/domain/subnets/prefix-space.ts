// CIDR arithmetic for subnet pools: free space of a pool's prefixes minus allocated subnets,
// its decomposition into aligned blocks (netaddr's IPSet.iter_cidrs) and prefix compaction.
import { cidrSize, formatCidr, lastAddress, tryParseCidrLoose, type Cidr } from '../../ipam/cidr.js';
import { ADDRESS_BITS, type IpVersion } from '../../ipam/ip-address.js';
import { normalizeRanges, type IpRange } from '../../ipam/ip-range.js';

export function cidrRange(c: Cidr): IpRange {
  return { version: c.version, first: c.network, last: lastAddress(c) };
}

export function parseCidrs(texts: readonly string[]): Cidr[] {
  return texts.map((t) => tryParseCidrLoose(t)?.cidr).filter((c): c is Cidr => c !== undefined);
}

/** Ranges minus ranges. */
export function subtractRanges(from: readonly IpRange[], holes: readonly IpRange[]): IpRange[] {
  let out = normalizeRanges(from);
  for (const h of normalizeRanges(holes)) {
    const next: IpRange[] = [];
    for (const r of out) {
      if (h.last < r.first || h.first > r.last) { next.push(r); continue; }
      if (h.first > r.first) next.push({ ...r, last: h.first - 1n });
      if (h.last < r.last) next.push({ ...r, first: h.last + 1n });
    }
    out = next;
  }
  return out;
}

/** The largest aligned CIDR blocks covering a range exactly. */
export function rangeToCidrs(r: IpRange): Cidr[] {
  const bits = ADDRESS_BITS[r.version];
  const out: Cidr[] = [];
  let cursor = r.first;
  while (cursor <= r.last) {
    let prefixlen = bits;
    while (prefixlen > 0) {
      const candidate: Cidr = { version: r.version, network: cursor, prefixlen: prefixlen - 1 };
      const aligned = (cursor & (cidrSize(candidate) - 1n)) === 0n;
      if (!aligned || lastAddress(candidate) > r.last) break;
      prefixlen -= 1;
    }
    const block: Cidr = { version: r.version, network: cursor, prefixlen };
    out.push(block);
    cursor = lastAddress(block) + 1n;
  }
  return out;
}

export function rangesToCidrs(ranges: readonly IpRange[]): Cidr[] {
  return normalizeRanges(ranges).flatMap(rangeToCidrs);
}

/** netaddr IPSet(prefixes).compact(): merged, minimal CIDR list, as Neutron stores pool prefixes. */
export function compactPrefixes(cidrs: readonly Cidr[]): string[] {
  return rangesToCidrs(cidrs.map(cidrRange)).map(formatCidr);
}

export function rangesContain(ranges: readonly IpRange[], r: IpRange): boolean {
  return ranges.some((x) => x.version === r.version && x.first <= r.first && x.last >= r.last);
}

export function rangesIntersect(a: readonly IpRange[], b: readonly IpRange[]): boolean {
  return a.some((x) => b.some((y) => x.version === y.version && x.first <= y.last && y.first <= x.last));
}

/**
 * Neutron's _allocate_any_subnet: the free blocks, smallest first (best fit), and the first
 * block of the requested size inside the first one big enough.
 */
export function firstFit(free: readonly IpRange[], version: IpVersion, prefixlen: number): Cidr | undefined {
  const blocks = rangesToCidrs(free).filter((c) => c.version === version);
  blocks.sort((a, b) => b.prefixlen - a.prefixlen || (a.network < b.network ? -1 : a.network > b.network ? 1 : 0));
  const fit = blocks.find((c) => c.prefixlen <= prefixlen);
  return fit === undefined ? undefined : { version, network: fit.network, prefixlen };
}

// Addresses and prefixes as nft writes them (shared by the anti-spoofing chains, the remote-group
// sets and the rule sets).
import { formatCidr, tryParseCidrLoose } from '../../ipam/cidr.js';
import { ADDRESS_BITS, formatIp } from '../../ipam/ip-address.js';
import { formatRange } from '../../ipam/ip-range.js';

export interface Address { readonly text: string; readonly family: 4 | 6; readonly network: bigint; readonly prefixlen: number }

/** Canonical CIDR text and family; host routes print without a prefix. Undefined when invalid. */
export function addr(text: string): Address | undefined {
  const parsed = typeof text === 'string' ? tryParseCidrLoose(text.trim()) : undefined;
  if (!parsed) return undefined;
  const { cidr } = parsed;
  return { text: prefixText(cidr.version, cidr.network, cidr.prefixlen), family: cidr.version, network: cidr.network, prefixlen: cidr.prefixlen };
}

function prefixText(family: 4 | 6, network: bigint, prefixlen: number): string {
  return prefixlen === ADDRESS_BITS[family] ? formatIp({ version: family, value: network }) : formatCidr({ version: family, network, prefixlen });
}

/** Canonical, de-duplicated list of one family's addresses/prefixes (prefixes contained in others dropped). */
export function addressList(texts: readonly string[], family: 4 | 6): string[] {
  const parsed = texts.map(addr).filter((a): a is Address => a !== undefined && a.family === family);
  const bits = ADDRESS_BITS[family];
  const contains = (outer: Address, inner: Address) =>
    outer.prefixlen <= inner.prefixlen && (inner.network >> BigInt(bits - outer.prefixlen)) === (outer.network >> BigInt(bits - outer.prefixlen));
  const kept: Address[] = [];
  for (const a of parsed) {
    if (kept.some((k) => contains(k, a))) continue;
    for (let i = kept.length - 1; i >= 0; i--) if (contains(a, kept[i]!)) kept.splice(i, 1);
    kept.push(a);
  }
  return kept.map((a) => a.text).sort();
}

/** An inclusive address interval as an nft set element: a prefix when it is one, else `first-last`. */
export function intervalText(family: 4 | 6, first: bigint, last: bigint): string {
  const size = last - first + 1n;
  const hostBits = size.toString(2).length - 1;
  const aligned = size === 1n << BigInt(hostBits) && first % size === 0n;
  return aligned ? prefixText(family, first, ADDRESS_BITS[family] - hostBits) : formatRange({ version: family, first, last });
}

import { ADDRESS_BITS, formatIp, maxValue, tryParseIp } from './ip-address.js';
import type { IpAddress, IpVersion } from './ip-address.js';
import { invalidAttribute } from './errors.js';

/** A network prefix; `network` always has its host bits cleared. */
export interface Cidr {
  readonly version: IpVersion;
  readonly network: bigint;
  readonly prefixlen: number;
}

export function hostMask(version: IpVersion, prefixlen: number): bigint {
  return (1n << BigInt(ADDRESS_BITS[version] - prefixlen)) - 1n;
}

export function firstAddress(cidr: Cidr): bigint {
  return cidr.network;
}

/** Last address of the prefix (the IPv4 broadcast address). */
export function lastAddress(cidr: Cidr): bigint {
  return cidr.network | hostMask(cidr.version, cidr.prefixlen);
}

export function cidrSize(cidr: Cidr): bigint {
  return hostMask(cidr.version, cidr.prefixlen) + 1n;
}

interface ParsedCidr {
  readonly cidr: Cidr;
  readonly address: IpAddress;
  readonly hasPrefix: boolean;
}

/** Lenient parse (netaddr.IPNetwork): host bits allowed, missing prefix = host route. */
export function tryParseCidrLoose(text: string): ParsedCidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  const address = tryParseIp(slash < 0 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const bits = ADDRESS_BITS[address.version];
  let prefixlen = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > bits) return undefined;
    prefixlen = Number(p);
  }
  const network = address.value & (maxValue(address.version) ^ hostMask(address.version, prefixlen));
  return { cidr: { version: address.version, network, prefixlen }, address, hasPrefix: slash >= 0 };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ version: cidr.version, value: cidr.network })}/${cidr.prefixlen}`;
}

/**
 * Parses a subnet CIDR the way Neutron's `validate_subnet` accepts it: a prefix
 * is required; an IPv4 CIDR with host bits set is refused with the recommended
 * form, while IPv6 host bits are silently cleared (Neutron normalises
 * `net.network/prefixlen` before storing).
 */
export function parseSubnetCidr(text: string, attr = 'cidr'): Cidr {
  const parsed = tryParseCidrLoose(text);
  if (!parsed) throw invalidAttribute(attr, `'${String(text)}' is not a valid IP subnet`);
  const canonical = formatCidr(parsed.cidr);
  if (!parsed.hasPrefix || (parsed.cidr.version === 4 && canonical !== text)) {
    throw invalidAttribute(attr, `'${text}' isn't a recommended CIDR, '${canonical}' is recommended`);
  }
  return parsed.cidr;
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return ip.version === cidr.version && ip.value >= cidr.network && ip.value <= lastAddress(cidr);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

const MULTICAST: Readonly<Record<IpVersion, Cidr>> = {
  4: { version: 4, network: 0xe0000000n, prefixlen: 4 },
  6: { version: 6, network: 0xffn << 120n, prefixlen: 8 },
};

/** netaddr's `is_multicast()`: the network address lies in 224.0.0.0/4 or ff00::/8. */
export function isMulticastCidr(cidr: Cidr): boolean {
  return cidrContains(MULTICAST[cidr.version], { version: cidr.version, value: cidr.network });
}

/** netaddr's `is_loopback()`: 127.0.0.0/8, or exactly ::1 for IPv6. */
export function isLoopbackCidr(cidr: Cidr): boolean {
  if (cidr.version === 4) return cidr.network >> 24n === 127n;
  return cidr.network === 1n;
}

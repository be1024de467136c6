import { formatIp } from './ip-address.js';
import type { IpAddress } from './ip-address.js';
import type { Cidr } from './cidr.js';
import { tryParseMac } from './mac-address.js';

/**
 * The SLAAC address a port computes from a /64 prefix and its MAC (RFC 4291
 * appendix A): the MAC split by ff:fe, with the universal/local bit flipped.
 */
export function eui64Address(prefix: Cidr, mac: string): IpAddress {
  if (prefix.version !== 6) throw new TypeError('EUI-64 needs an IPv6 prefix');
  if (prefix.prefixlen > 64) throw new TypeError(`prefix /${prefix.prefixlen} is longer than /64`);
  const bytes = tryParseMac(mac);
  if (!bytes) throw new TypeError(`'${mac}' is not a valid MAC address`);
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = bytes;
  const iid = [b0 ^ 0x02, b1, b2, 0xff, 0xfe, b3, b4, b5].reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const mask = (1n << 64n) - 1n;
  return { version: 6, value: (prefix.network & ~mask) | iid };
}

export function eui64String(prefix: Cidr, mac: string): string {
  return formatIp(eui64Address(prefix, mac));
}

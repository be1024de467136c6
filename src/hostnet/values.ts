// Validation of addresses, keys and nft identifiers before they reach a command line.
import { isIP } from 'node:net';
import { HostnetInputError } from './names.js';

/** Plain IPv4/IPv6 literal; zone ids ("fe80::1%eth0") are refused, ip(8) would not take them. */
export function assertIp(ip: string): string {
  if (typeof ip !== 'string' || !/^[0-9A-Fa-f:.]+$/.test(ip) || isIP(ip) === 0) throw new HostnetInputError('IP address', String(ip), 'not an IPv4/IPv6 address');
  return ip;
}

export function ipFamily(ip: string): 4 | 6 {
  return isIP(ip) === 6 ? 6 : 4;
}

/** "10.0.0.1/24" or "2001:db8::1/64"; the prefix must fit the family. */
export function assertCidr(cidr: string): string {
  const m = typeof cidr === 'string' ? /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(cidr) : null;
  const family = m ? isIP(m[1]!) : 0;
  const prefix = m ? Number(m[2]) : NaN;
  if (family === 0 || !(prefix >= 0 && prefix <= (family === 6 ? 128 : 32))) {
    throw new HostnetInputError('CIDR', String(cidr), 'expected address/prefix');
  }
  return cidr;
}

export function cidrFamily(cidr: string): 4 | 6 {
  return ipFamily(cidr.split('/')[0] ?? '');
}

/** Route destination: "default", a CIDR, or a bare address (host route). */
export function assertRouteDst(dst: string): string {
  if (dst === 'default') return dst;
  return typeof dst === 'string' && dst.includes('/') ? assertCidr(dst) : assertIp(dst);
}

export function assertMac(mac: string): string {
  if (typeof mac !== 'string' || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/.test(mac)) {
    throw new HostnetInputError('MAC address', String(mac), 'expected xx:xx:xx:xx:xx:xx');
  }
  return mac.toLowerCase();
}

export function assertInt(kind: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HostnetInputError(kind, String(value), `expected an integer ${min}-${max}`);
  }
  return value;
}

/** sysctl key such as net.ipv4.conf.qr-abc.forwarding or net/ipv4/ip_forward. */
export function assertSysctlKey(key: string): string {
  if (typeof key !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(key) || key.length > 256 || /(^|[./])\.\.?([./]|$)/.test(key)) {
    throw new HostnetInputError('sysctl key', String(key), 'expected dotted letters, digits, "_", "-" or "/"');
  }
  return key;
}

export function assertSysctlValue(value: string): string {
  if (!/^[\x20-\x7e]{0,256}$/.test(value)) throw new HostnetInputError('sysctl value', value, 'printable ASCII only');
  return value;
}

const NFT_FAMILIES = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);

export function assertNftFamily(family: string): string {
  if (!NFT_FAMILIES.has(family)) throw new HostnetInputError('nft family', String(family), `expected one of ${[...NFT_FAMILIES].join(', ')}`);
  return family;
}

/** nft identifier (nft joins argv and re-parses it, so this is what stops injection). */
export function assertNftName(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new HostnetInputError('nft name', String(name), 'expected an identifier');
  }
  return name;
}

/** Program name for exec(): a plain name or absolute path, never an option. */
export function assertCommand(cmd: string): string {
  if (typeof cmd !== 'string' || !/^[A-Za-z0-9_./+-]+$/.test(cmd) || cmd.startsWith('-')) {
    throw new HostnetInputError('command', String(cmd), 'expected a program name or path');
  }
  return cmd;
}

/** argv elements can be anything except NUL (which execve cannot carry). */
export function assertArgs(args: readonly string[]): readonly string[] {
  for (const a of args) {
    if (typeof a !== 'string' || a.includes('\0')) throw new HostnetInputError('argument', String(a), 'must be a string without NUL');
  }
  return args;
}

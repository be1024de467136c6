// Minimal IPv4 arithmetic for the sandbox topology (addresses as unsigned 32-bit numbers).

export class SandboxConfigError extends Error {
  override readonly name = 'SandboxConfigError';
}

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefix: number;
  /** Number of addresses in the range (2^(32-prefix)). */
  readonly size: number;
  /** Canonical text, e.g. `172.24.4.0/24`. */
  readonly text: string;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/n`; `what` names the option in error messages. Host bits must be zero. */
export function parseCidr(text: unknown, what: string, maxPrefix = 30): Ipv4Cidr {
  if (typeof text !== 'string') throw new SandboxConfigError(`${what} must be an IPv4 CIDR string such as 172.24.4.0/24`);
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  const address = match ? parseIpv4(match[1]!) : undefined;
  const prefix = match ? Number(match[2]) : NaN;
  if (address === undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new SandboxConfigError(`${what} '${text}' is not an IPv4 CIDR such as 172.24.4.0/24`);
  }
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  if (network !== address) {
    throw new SandboxConfigError(`${what} '${text}' has host bits set (did you mean ${formatIpv4(network)}/${prefix}?)`);
  }
  if (prefix > maxPrefix) throw new SandboxConfigError(`${what} '${text}' is too small: the prefix must be /${maxPrefix} or shorter`);
  if (prefix < 8) throw new SandboxConfigError(`${what} '${text}' is too large: the prefix must be /8 or longer`);
  return { network, prefix, size, text: `${formatIpv4(network)}/${prefix}` };
}

/** The address at `offset` inside the range, refusing the network and broadcast addresses. */
export function hostAddress(cidr: Ipv4Cidr, offset: number, what: string): string {
  if (!(offset >= 1 && offset <= cidr.size - 2)) {
    throw new SandboxConfigError(`${what}: ${cidr.text} has no usable host address at offset ${offset}`);
  }
  return formatIpv4(cidr.network + offset);
}

export function contains(cidr: Ipv4Cidr, address: number): boolean {
  return address >= cidr.network && address < cidr.network + cidr.size;
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return contains(a, b.network) || contains(b, a.network);
}

/** Whether an interface address (`10.1.2.3/16`, host bits allowed) overlaps a range (`a.b.c.d/n`). */
export function addressOverlaps(address: string, range: string): boolean {
  const parse = (text: string): [number, number] | undefined => {
    const [ip, len] = text.split('/');
    const value = parseIpv4(ip ?? '');
    const bits = len === undefined ? 32 : Number(len);
    return value === undefined || !(bits >= 0 && bits <= 32) ? undefined : [value, bits];
  };
  const a = parse(address);
  const b = parse(range);
  if (!a || !b) return false;
  const size = 2 ** (32 - Math.min(a[1], b[1]));
  return Math.floor(a[0] / size) === Math.floor(b[0] / size);
}

// IP protocol names Neutron accepts in security group rules (neutron_lib IP_PROTOCOL_MAP) and
// its canonical forms: protocols are stored as strings (a name or a number 0-255), 'any' and 0
// mean "no protocol", and on IPv6 the legacy ICMP spellings become ipv6-icmp.

export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ipip: 4,
  'ipv6-encap': 41, 'ipv6-frag': 44, 'ipv6-icmp': 58, icmpv6: 58, 'ipv6-nonxt': 59,
  'ipv6-opts': 60, 'ipv6-route': 43, ospf: 89, pgm: 113, rsvp: 46, sctp: 132, tcp: 6,
  udp: 17, udplite: 136, vrrp: 112,
};

/** Protocols whose rules may carry a port range (neutron SG_PORT_PROTO_NAMES, in its order). */
export const PORT_PROTOCOLS = ['dccp', 'sctp', 'tcp', 'udp', 'udplite'] as const;
const PORT_PROTOCOL_NUMBERS = PORT_PROTOCOLS.map((p) => PROTOCOL_NUMBERS[p]);

/** Protocols only meaningful for IPv6 (an IPv4 rule naming them is refused). */
const IPV6_ONLY = new Set(['ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', '41', '44', '58', '59', '60', '43']);

/** The list Neutron's "protocol not supported" message prints. */
export const SUPPORTED_PROTOCOLS: readonly (string | null)[] = [null, 'any', ...Object.keys(PROTOCOL_NUMBERS)];

/** The protocol's number, or undefined for null (any protocol). Input is already canonical. */
export function protocolNumber(protocol: string | null): number | undefined {
  if (protocol === null) return undefined;
  const named = PROTOCOL_NUMBERS[protocol];
  return named ?? Number(protocol);
}

export function isPortProtocol(protocol: string | null): boolean {
  const n = protocolNumber(protocol);
  return n !== undefined && PORT_PROTOCOL_NUMBERS.includes(n);
}

export function isIcmpProtocol(protocol: string | null): boolean {
  const n = protocolNumber(protocol);
  return n === 1 || n === 58;
}

export function isIpv6OnlyProtocol(protocol: string | null): boolean {
  return protocol !== null && IPV6_ONLY.has(protocol);
}

/** Neutron's _make_canonical_ipv6_icmp_protocol: legacy ICMP spellings on IPv6 rules. */
export function canonicalForEthertype(protocol: string | null, ethertype: string): string | null {
  if (ethertype !== 'IPv6' || protocol === null) return protocol;
  if (protocol === 'icmp' || protocol === 'icmpv6') return 'ipv6-icmp';
  if (protocol === '1') return '58';
  return protocol;
}

/** Name and number as one comparable key, so 'tcp' and '6' are the same rule (duplicate check). */
export function protocolKey(protocol: string | null): string {
  const n = protocolNumber(protocol);
  return n === undefined ? '+' : String(n);
}

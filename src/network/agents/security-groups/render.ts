// Security groups as one nftables ruleset for a host namespace (pure: state in, text out).
//
// This kernel has no conntrack in the bridge family, so the firewall is split in two tables that
// one `nft -f` transaction replaces atomically:
//  - `table netdev nimbus-spoof`: an ingress chain per existing tap (traffic FROM the instance):
//    anti-spoofing (MAC, IPv4/IPv6 source, ARP sender), DHCP/RA server traffic from the instance
//    dropped; what passes is marked with the port's number (`meta mark set <n>`).
//  - `table inet nimbus-sg`: br_netfilter hands bridged IP packets to the inet hooks. Prerouting
//    (priority -300) puts each network bridge in its own conntrack zone; the forward chain jumps
//    to the port's egress chain by mark and to the destination port's ingress chain by
//    (bridge, destination MAC). Those chains are stateful (ct state) and end in `drop`.
// Ports with port_security_enabled=false and trusted ports (device_owner network:*, as Neutron's
// is_port_trusted) get no chains at all.
import { formatCidr, tryParseCidrLoose } from '../../ipam/cidr.js';
import type { BoundPort, SecurityGroupInfo, SecurityGroupRule } from '../common/state.js';

export const SG_TABLE = 'nimbus-sg';
export const SPOOF_TABLE = 'nimbus-spoof';
/** First per-port packet mark; port i of the ruleset gets MARK_BASE + i. */
export const MARK_BASE = 0x1000;

export interface SgPort {
  readonly port: BoundPort;
  /** The network's bridge (brq…). */
  readonly bridge: string;
  /** The port's device in the host namespace (tap…). */
  readonly device: string;
}

export interface SgRenderInput {
  /** Every port bound to this host (also those without filtering: their bridges get zones). */
  readonly ports: readonly SgPort[];
  readonly securityGroups: Readonly<Record<string, SecurityGroupInfo>>;
  /** Remote-group members: group id → addresses. */
  readonly members: Readonly<Record<string, readonly string[]>>;
  /** Address groups: id → CIDRs. */
  readonly addressGroups: Readonly<Record<string, readonly string[]>>;
  /**
   * Devices that exist in the host namespace now: only their ports get chains (before Linux 6.16
   * a netdev base chain on a missing device fails the whole transaction).
   */
  readonly existingDevices: ReadonlySet<string>;
  /** Conntrack zone per bridge; bridges missing here get the lowest free numbers (see assignZones). */
  readonly zones?: ReadonlyMap<string, number>;
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const DEV_RE = /^[A-Za-z0-9_.-]{1,15}$/;
const MAX_ZONE = 65535;

/** ICMPv6 types let through by default (Neutron): MLD 130-132/143, RS 133, RA 134, NS 135, NA 136. */
const ICMPV6_INGRESS = [130, 131, 132, 133, 134, 135, 136, 143];
const ICMPV6_EGRESS = [130, 131, 132, 133, 135, 136, 143];

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ipip: 4,
  'ipv6-encap': 41, 'ipv6-frag': 44, 'ipv6-icmp': 58, icmpv6: 58, 'ipv6-nonxt': 59,
  'ipv6-opts': 60, 'ipv6-route': 43, ospf: 89, pgm: 113, rsvp: 46, sctp: 132, tcp: 6,
  udp: 17, udplite: 136, vrrp: 112,
};
const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);

/** Zones for bridges: keeps `previous` numbers, gives new bridges the lowest free ones (sorted by name). */
export function assignZones(bridges: Iterable<string>, previous: ReadonlyMap<string, number> = new Map()): Map<string, number> {
  const wanted = [...new Set(bridges)].sort();
  const out = new Map<string, number>();
  const used = new Set<number>();
  for (const b of wanted) {
    const z = previous.get(b);
    if (z !== undefined && z >= 1 && z <= MAX_ZONE && !used.has(z)) { out.set(b, z); used.add(z); }
  }
  let next = 1;
  for (const b of wanted) {
    if (out.has(b)) continue;
    while (used.has(next)) next++;
    if (next > MAX_ZONE) throw new Error('more than 65535 network bridges: out of conntrack zones');
    out.set(b, next);
    used.add(next);
  }
  return out;
}

/** Whether a port gets firewall chains: port security on and not a trusted (network:*) port. */
export function isFiltered(port: BoundPort): boolean {
  return port.port_security_enabled && !port.device_owner.startsWith('network:');
}

function checkId(kind: string, id: string): string {
  if (typeof id !== 'string' || !ID_RE.test(id)) throw new Error(`security groups: invalid ${kind} ${JSON.stringify(id)}`);
  return id;
}

function checkDevice(name: string): string {
  if (typeof name !== 'string' || !DEV_RE.test(name)) throw new Error(`security groups: invalid device name ${JSON.stringify(name)}`);
  return name;
}

function mac(text: string | undefined): string | undefined {
  const m = typeof text === 'string' ? text.toLowerCase() : '';
  return MAC_RE.test(m) ? m : undefined;
}

/** Canonical CIDR text and family; host routes print without a prefix. Undefined when invalid. */
function addr(text: string): { text: string; family: 4 | 6; network: bigint; prefixlen: number } | undefined {
  const parsed = typeof text === 'string' ? tryParseCidrLoose(text.trim()) : undefined;
  if (!parsed) return undefined;
  const { cidr } = parsed;
  const full = cidr.version === 4 ? 32 : 128;
  const formatted = formatCidr(cidr);
  return { text: cidr.prefixlen === full ? formatted.slice(0, formatted.lastIndexOf('/')) : formatted, family: cidr.version, network: cidr.network, prefixlen: cidr.prefixlen };
}

/** Canonical, de-duplicated list of one family's addresses/prefixes (prefixes contained in others dropped). */
function addressList(texts: readonly string[], family: 4 | 6): string[] {
  const parsed = texts.map(addr).filter((a): a is NonNullable<typeof a> => a !== undefined && a.family === family);
  const bits = family === 4 ? 32 : 128;
  const contains = (outer: { network: bigint; prefixlen: number }, inner: { network: bigint; prefixlen: number }) =>
    outer.prefixlen <= inner.prefixlen && (inner.network >> BigInt(bits - outer.prefixlen)) === (outer.network >> BigInt(bits - outer.prefixlen));
  const kept: typeof parsed = [];
  for (const a of parsed) {
    if (kept.some((k) => contains(k, a))) continue;
    for (let i = kept.length - 1; i >= 0; i--) if (contains(a, kept[i]!)) kept.splice(i, 1);
    kept.push(a);
  }
  return kept.map((a) => a.text).sort();
}

function anon(values: readonly (string | number)[]): string {
  return values.length === 1 ? String(values[0]) : `{ ${values.join(', ')} }`;
}

/** Short names (id[:n]) for sets/chains; ids that would collide keep their full text. */
function shortNames(ids: Iterable<string>, length: number): Map<string, string> {
  const all = [...new Set(ids)];
  const count = new Map<string, number>();
  for (const id of all) count.set(id.slice(0, length), (count.get(id.slice(0, length)) ?? 0) + 1);
  return new Map(all.map((id) => [id, (count.get(id.slice(0, length)) ?? 0) > 1 ? id : id.slice(0, length)]));
}

function protocolNumber(protocol: string): number | undefined {
  const named = PROTOCOL_NUMBERS[protocol.toLowerCase()];
  if (named !== undefined) return named;
  return /^[0-9]{1,3}$/.test(protocol) && Number(protocol) <= 255 ? Number(protocol) : undefined;
}

function portMatch(min: number | null, max: number | null): string | undefined {
  if (min === null) return undefined;
  return max === null || max === min ? String(min) : `${min}-${max}`;
}

/** The protocol part of a rule (after `meta nfproto`), or undefined when it cannot be expressed. */
function protocolMatch(rule: SecurityGroupRule, family: 4 | 6): string[] | undefined {
  if (rule.protocol === null) return [];
  let n = protocolNumber(rule.protocol);
  if (n === undefined) return undefined;
  if (n === 0) return []; // 'any'/hopopt-0 is stored as null by the API; be lenient
  if (family === 6 && n === 1) n = 58;
  const min = rule.port_range_min;
  const max = rule.port_range_max;
  if (n === 1 || n === 58) {
    const kw = n === 1 ? 'icmp' : 'icmpv6';
    const out = [`meta l4proto ${kw}`];
    if (min !== null && min >= 0 && min <= 255) {
      out.push(`${kw} type ${min}`);
      if (max !== null && max >= 0 && max <= 255) out.push(`${kw} code ${max}`);
    }
    return out;
  }
  if (PORT_PROTOCOLS.has(n)) {
    const kw = n === 6 ? 'tcp' : n === 17 ? 'udp' : undefined;
    const out = [`meta l4proto ${kw ?? n}`];
    const ports = portMatch(min, max);
    if (ports !== undefined) out.push(`${kw ?? 'th'} dport ${ports}`);
    return out;
  }
  return [`meta l4proto ${n}`];
}

interface Sets {
  /** set name → definition line */
  readonly defs: Map<string, string>;
  readonly groupNames: Map<string, string>;
  readonly addressGroupNames: Map<string, string>;
}

function setName(sets: Sets, kind: 'rg' | 'ag', id: string, family: 4 | 6, elements: readonly string[]): string {
  const short = (kind === 'rg' ? sets.groupNames : sets.addressGroupNames).get(id) ?? id;
  const name = `${kind}-${short}-${family}`;
  if (!sets.defs.has(name)) {
    const list = addressList(elements, family);
    sets.defs.set(name, `  set ${name} { type ${family === 4 ? 'ipv4_addr' : 'ipv6_addr'}; flags interval; auto-merge;${list.length ? ` elements = { ${list.join(', ')} }` : ''} }`);
  }
  return `@${name}`;
}

/** One rule line (without the trailing verdict), or undefined when the rule can never match. */
function ruleLine(rule: SecurityGroupRule, input: SgRenderInput, sets: Sets): string | undefined {
  const family: 4 | 6 = rule.ethertype === 'IPv6' ? 6 : 4;
  const proto = protocolMatch(rule, family);
  if (proto === undefined) return undefined;
  const parts = [`meta nfproto ${family === 4 ? 'ipv4' : 'ipv6'}`, ...proto];
  const field = `${family === 4 ? 'ip' : 'ip6'} ${rule.direction === 'ingress' ? 'saddr' : 'daddr'}`;
  if (rule.remote_ip_prefix !== null) {
    const a = addr(rule.remote_ip_prefix);
    if (!a || a.family !== family) return undefined;
    if (a.prefixlen > 0) parts.push(`${field} ${a.text}`);
  }
  if (rule.remote_group_id !== null) {
    parts.push(`${field} ${setName(sets, 'rg', checkId('security group id', rule.remote_group_id), family, input.members[rule.remote_group_id] ?? [])}`);
  }
  if (rule.remote_address_group_id !== null) {
    const id = checkId('address group id', rule.remote_address_group_id);
    parts.push(`${field} ${setName(sets, 'ag', id, family, input.addressGroups[id] ?? [])}`);
  }
  return parts.join(' ');
}

interface FilteredPort { readonly sg: SgPort; readonly short: string; readonly mark: number }

function portMacs(port: BoundPort): string[] {
  const all = [port.mac_address, ...port.allowed_address_pairs.map((a) => a.mac_address || port.mac_address)];
  return [...new Set(all.map(mac).filter((m): m is string => m !== undefined))].sort();
}

function spoofChain(p: FilteredPort): string[] {
  const port = p.sg.port;
  const markHex = `0x${p.mark.toString(16)}`;
  const ok = `meta mark set ${markHex} accept`;
  // Allowed (MAC → addresses): the port's own MAC with its fixed IPs, each pair's MAC with its address.
  const byMac = new Map<string, string[]>();
  const own = mac(port.mac_address);
  if (own) byMac.set(own, port.fixed_ips.map((f) => f.ip_address));
  for (const pair of port.allowed_address_pairs) {
    const m = mac(pair.mac_address || port.mac_address);
    if (!m) continue;
    const list = byMac.get(m) ?? [];
    list.push(pair.ip_address);
    byMac.set(m, list);
  }
  const lines = [
    `  chain spoof-${p.short} {`,
    `    type filter hook ingress device "${checkDevice(p.sg.device)}" priority 0; policy drop;`,
    // An instance never acts as a DHCP server or IPv6 router on its network.
    '    udp sport 67 udp dport 68 drop',
    '    udp sport 547 udp dport 546 drop',
    '    icmpv6 type nd-router-advert drop',
  ];
  for (const [m, addresses] of [...byMac].sort(([a], [b]) => a.localeCompare(b))) {
    const v4 = addressList(addresses, 4);
    const v6 = addressList([...addresses, 'fe80::/64'], 6);
    lines.push(`    ether saddr ${m} arp saddr ether ${m} arp saddr ip ${anon(addressList(['0.0.0.0', ...v4], 4))} ${ok}`);
    if (v4.length) lines.push(`    ether saddr ${m} ip saddr ${anon(v4)} ${ok}`);
    lines.push(`    ether saddr ${m} ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 ${ok}`);
    lines.push(`    ether saddr ${m} ip6 saddr ${anon(v6)} ${ok}`);
    // Duplicate address detection and MLD before an address is configured.
    lines.push(`    ether saddr ${m} ip6 saddr :: meta l4proto icmpv6 ${ok}`);
  }
  lines.push('  }');
  return lines;
}

function filterChains(p: FilteredPort, input: SgRenderInput, sets: Sets): string[] {
  const port = p.sg.port;
  const groups = port.security_group_ids.map((id) => input.securityGroups[id]).filter((g): g is SecurityGroupInfo => g !== undefined);
  const stateful = groups.every((g) => g.stateful);
  const chains: string[] = [];
  for (const direction of ['egress', 'ingress'] as const) {
    chains.push(`  chain ${direction}-${p.short} {`);
    if (stateful) {
      chains.push('    ct state invalid drop');
      chains.push('    ct state established,related return');
    }
    if (direction === 'ingress') {
      chains.push('    udp sport 67 udp dport 68 return');
      chains.push('    udp sport 547 udp dport 546 return');
      chains.push(`    icmpv6 type ${anon(ICMPV6_INGRESS)} return`);
    } else {
      chains.push('    udp sport 68 udp dport 67 return');
      chains.push('    udp sport 546 udp dport 547 return');
      chains.push(`    icmpv6 type ${anon(ICMPV6_EGRESS)} return`);
    }
    const seen = new Set<string>();
    for (const group of groups) {
      for (const rule of group.rules) {
        if (rule.direction !== direction) continue;
        const line = ruleLine(rule, input, sets);
        if (line === undefined || seen.has(line)) continue;
        seen.add(line);
        chains.push(`    ${line} return`);
      }
    }
    chains.push('    drop');
    chains.push('  }');
  }
  return chains;
}

/** The ruleset text that replaces Nimbus's two tables in the host namespace (one transaction). */
export function renderSecurityGroups(input: SgRenderInput): string {
  const ports = [...input.ports].sort((a, b) => a.device.localeCompare(b.device) || a.port.id.localeCompare(b.port.id));
  const zones = assignZones(ports.map((p) => p.bridge), input.zones ?? new Map());
  const chosen = ports.filter((p) => isFiltered(p.port) && input.existingDevices.has(p.device));
  const shorts = shortNames(chosen.map((p) => checkId('port id', p.port.id)), 11);
  const filtered: FilteredPort[] = chosen.map((sg, i) => ({
    sg, short: shorts.get(sg.port.id) ?? sg.port.id, mark: MARK_BASE + i,
  }));
  const groupIds = new Set<string>();
  const agIds = new Set<string>();
  for (const g of Object.values(input.securityGroups)) for (const r of g.rules) {
    if (r.remote_group_id !== null) groupIds.add(r.remote_group_id);
    if (r.remote_address_group_id !== null) agIds.add(r.remote_address_group_id);
  }
  const sets: Sets = { defs: new Map(), groupNames: shortNames(groupIds, 8), addressGroupNames: shortNames(agIds, 8) };
  const chains = filtered.flatMap((p) => filterChains(p, input, sets));

  const out: string[] = [];
  out.push(`table inet ${SG_TABLE}`, `delete table inet ${SG_TABLE}`, `table inet ${SG_TABLE} {`);
  for (const name of [...sets.defs.keys()].sort()) out.push(sets.defs.get(name)!);
  out.push('  chain sg-zones {', '    type filter hook prerouting priority -300; policy accept;');
  for (const [bridge, zone] of [...zones].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`    iifname "${checkDevice(bridge)}" ct zone set ${zone}`);
  }
  out.push('  }', '  chain sg-forward {', '    type filter hook forward priority 0; policy accept;');
  for (const p of filtered) out.push(`    meta mark 0x${p.mark.toString(16)} jump egress-${p.short}`);
  for (const p of filtered) {
    // Traffic to the port's MAC or an allowed-address-pair MAC (e.g. a VRRP address) on its bridge.
    const macs = portMacs(p.sg.port);
    if (macs.length) out.push(`    oifname "${checkDevice(p.sg.bridge)}" ether daddr ${anon(macs)} jump ingress-${p.short}`);
  }
  out.push('  }', ...chains, '}');
  out.push(`table netdev ${SPOOF_TABLE}`, `delete table netdev ${SPOOF_TABLE}`, `table netdev ${SPOOF_TABLE} {`);
  for (const p of filtered) out.push(...spoofChain(p));
  out.push('}');
  return `${out.join('\n')}\n`;
}

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
//    (bridge, destination MAC). Those chains are stateful (ct state) and end in `drop`. Their
//    allow rules are collapsed by shape into set lookups (rule-sets.ts), so a chain's length does
//    not grow with the number of security-group rules.
// Ports with port_security_enabled=false and trusted ports (device_owner network:*, as Neutron's
// is_port_trusted) get no chains at all.
import { addressList } from './addresses.js';
import { collapseRules, ruleMatch, type RefSet, type RuleMatch } from './rule-sets.js';
import type { BoundPort, SecurityGroupInfo } from '../common/state.js';

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

interface Sets {
  /** set name → definition line */
  readonly defs: Map<string, string>;
  readonly groupNames: Map<string, string>;
  readonly addressGroupNames: Map<string, string>;
  /** Collapsed rule lines per (direction, groups): ports sharing groups share the work. */
  readonly lines: Map<string, readonly string[]>;
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

/** What a port's groups allow in one direction, as collapsed nft rules (rule-sets.ts). */
function allowLines(groups: readonly SecurityGroupInfo[], direction: 'ingress' | 'egress', input: SgRenderInput, sets: Sets): readonly string[] {
  const key = `${direction} ${groups.map((g) => g.id).join(',')}`;
  const cached = sets.lines.get(key);
  if (cached) return cached;
  const refSet: RefSet = (kind, id, family) => kind === 'rg'
    ? setName(sets, kind, checkId('security group id', id), family, input.members[id] ?? [])
    : setName(sets, kind, checkId('address group id', id), family, input.addressGroups[id] ?? []);
  const rules = groups.flatMap((g) => g.rules).filter((r) => r.direction === direction);
  const lines = collapseRules(rules.map((r) => ruleMatch(r, refSet)).filter((m): m is RuleMatch => m !== undefined));
  sets.lines.set(key, lines);
  return lines;
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
    for (const line of allowLines(groups, direction, input, sets)) chains.push(`    ${line} return`);
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
  const sets: Sets = { defs: new Map(), groupNames: shortNames(groupIds, 8), addressGroupNames: shortNames(agIds, 8), lines: new Map() };
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

// Security-group rules of one chain as few nft rules: each rule is a box in the space of its
// shape (address × protocol, address × port range, address × ICMP type[/code]); the rules of one
// shape become one nft rule with a set of concatenated elements (`ip saddr . tcp dport
// { 10.0.0.0/24 . 22-23, … }`), so a chain's length and `nft -f` stay flat in the rule count.
// Overlapping rules are split into disjoint elements (an nft interval set refuses overlaps).
import { maxValue } from '../../ipam/ip-address.js';
import type { SecurityGroupRule } from '../common/state.js';
import { addr, intervalText } from './addresses.js';
import { disjointUnion, type Box, type Interval } from './boxes.js';

/** One key of a rule's concatenation: its nft expression, its value range, addresses' family. */
interface Dim { readonly expr: string; readonly max: bigint; readonly family?: 4 | 6 }

/** A rule as a box: rules with equal `head` and dims collapse into one nft rule. */
export interface RuleMatch { readonly head: string; readonly dims: readonly Dim[]; readonly box: Box }

/** The `@name` of the remote-group (rg) or address-group (ag) set for a family. */
export type RefSet = (kind: 'rg' | 'ag', id: string, family: 4 | 6) => string;

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ipip: 4,
  'ipv6-encap': 41, 'ipv6-frag': 44, 'ipv6-icmp': 58, icmpv6: 58, 'ipv6-nonxt': 59,
  'ipv6-opts': 60, 'ipv6-route': 43, ospf: 89, pgm: 113, rsvp: 46, sctp: 132, tcp: 6,
  udp: 17, udplite: 136, vrrp: 112,
};
const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);
const L4PROTO: Dim = { expr: 'meta l4proto', max: 255n };

interface ProtocolShape { readonly head: string[]; readonly dims: Dim[]; readonly box: Interval[] }

function protocolNumber(protocol: string): number | undefined {
  const named = PROTOCOL_NUMBERS[protocol.toLowerCase()];
  if (named !== undefined) return named;
  return /^[0-9]{1,3}$/.test(protocol) && Number(protocol) <= 255 ? Number(protocol) : undefined;
}

const byte = (n: number | null): n is number => n !== null && n >= 0 && n <= 255;
const only = (n: number): Interval => [BigInt(n), BigInt(n)];

/** The protocol part of a rule, or undefined when it can never match. */
function protocolShape(rule: SecurityGroupRule, family: 4 | 6): ProtocolShape | undefined {
  const any: ProtocolShape = { head: [], dims: [L4PROTO], box: [[0n, 255n]] };
  if (rule.protocol === null) return any;
  let n = protocolNumber(rule.protocol);
  if (n === undefined) return undefined;
  if (n === 0) return any; // 'any'/hopopt-0 is stored as null by the API; be lenient
  if (family === 6 && n === 1) n = 58;
  const min = rule.port_range_min;
  const max = rule.port_range_max;
  if ((n === 1 || n === 58) && byte(min)) {
    const kw = n === 1 ? 'icmp' : 'icmpv6';
    // Type only and type/code stay apart: a type-only rule does not read the code byte.
    const dims: Dim[] = [{ expr: `${kw} type`, max: 255n }];
    const box = [only(min)];
    if (byte(max)) { dims.push({ expr: `${kw} code`, max: 255n }); box.push(only(max)); }
    return { head: [`meta l4proto ${kw}`], dims, box };
  }
  if (PORT_PROTOCOLS.has(n) && min !== null) {
    const hi = max ?? min;
    if (min < 0 || hi < min || hi > 65535) return undefined;
    const kw = n === 6 ? 'tcp' : n === 17 ? 'udp' : undefined;
    return { head: [`meta l4proto ${kw ?? n}`], dims: [{ expr: `${kw ?? 'th'} dport`, max: 65535n }], box: [[BigInt(min), BigInt(hi)]] };
  }
  return { head: [], dims: [L4PROTO], box: [only(n)] };
}

/** The remote addresses a rule allows: its prefix, or everything; undefined when never. */
function remoteInterval(prefix: string | null, family: 4 | 6): Interval | undefined {
  if (prefix === null) return [0n, maxValue(family)];
  const a = addr(prefix);
  if (!a || a.family !== family) return undefined;
  return [a.network, a.network | (maxValue(family) >> BigInt(a.prefixlen))];
}

/** A security-group rule as a box of its shape, or undefined when it can never match. */
export function ruleMatch(rule: SecurityGroupRule, refSet: RefSet): RuleMatch | undefined {
  const family: 4 | 6 = rule.ethertype === 'IPv6' ? 6 : 4;
  const proto = protocolShape(rule, family);
  const remote = remoteInterval(rule.remote_ip_prefix, family);
  if (proto === undefined || remote === undefined) return undefined;
  const field = `${family === 4 ? 'ip' : 'ip6'} ${rule.direction === 'ingress' ? 'saddr' : 'daddr'}`;
  const head = [`meta nfproto ${family === 4 ? 'ipv4' : 'ipv6'}`, ...proto.head];
  if (rule.remote_group_id !== null) head.push(`${field} ${refSet('rg', rule.remote_group_id, family)}`);
  if (rule.remote_address_group_id !== null) head.push(`${field} ${refSet('ag', rule.remote_address_group_id, family)}`);
  return { head: head.join(' '), dims: [{ expr: field, max: maxValue(family), family }, ...proto.dims], box: [remote, ...proto.box] };
}

function valueText(dim: Dim, [lo, hi]: Interval): string {
  if (dim.family !== undefined) return intervalText(dim.family, lo, hi);
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

/** One nft rule (without verdict) for rules of one shape; keys every element spans fully are left out. */
function collapseShape(head: string, dims: readonly Dim[], boxes: readonly Box[]): string {
  const disjoint = disjointUnion(boxes);
  const keys = dims.map((_, i) => i).filter((i) => disjoint.some((b) => b[i]![0] !== 0n || b[i]![1] !== dims[i]!.max));
  if (keys.length === 0) return head;
  const elements = disjoint.map((b) => keys.map((i) => valueText(dims[i]!, b[i]!)).join(' . '));
  const value = elements.length === 1 && keys.length === 1 ? elements[0]! : `{ ${elements.join(', ')} }`;
  return `${head} ${keys.map((i) => dims[i]!.expr).join(' . ')} ${value}`;
}

/** The nft rules (without verdict) that allow what any of `matches` allows, sorted. */
export function collapseRules(matches: Iterable<RuleMatch>): string[] {
  const shapes = new Map<string, { head: string; dims: readonly Dim[]; boxes: Box[] }>();
  for (const m of matches) {
    const key = `${m.head}|${m.dims.map((d) => d.expr).join('.')}`;
    const shape = shapes.get(key) ?? { head: m.head, dims: m.dims, boxes: [] };
    shape.boxes.push(m.box);
    shapes.set(key, shape);
  }
  return [...shapes.values()].map((s) => collapseShape(s.head, s.dims, s.boxes)).sort();
}

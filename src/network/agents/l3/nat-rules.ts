// The NAT of one legacy router, rendered as ONE nftables table (`ip nimbus-l3`) in its qrouter
// namespace. Pure: state in, ruleset text out; the agent applies it atomically (`nft -f -`) only
// when it changed, which it tells by the hash the table carries as its comment.
//
// What Neutron's legacy L3 agent does with iptables, in nft terms:
//  prerouting (dstnat): metadata redirect from the internal ports to the router's proxy (9697),
//                       and per floating IP `daddr <fip> → dnat <fixed>`;
//  output:              the same DNAT for the router's own traffic to a floating IP;
//  postrouting (srcnat):
//    1. per floating IP: `saddr <fixed> leaving by qg- → snat <fip>` (floating IPs always own the
//       source of their instance's new outbound connections, SNAT enabled or not);
//    2. per floating IP, hairpin: an instance reaching another instance's floating IP from inside
//       (`iifname "qr-*" ct status dnat`) gets its own floating IP as source;
//    3. enable_snat: any other hairpin → the gateway address (so replies come back through the
//       router even between instances of the same subnet; Neutron's `--ctstate DNAT -j SNAT`);
//    4. enable_snat: internal subnets leaving by qg- → the gateway address.
//  Internal-to-internal traffic (qr- → qr-) matches none of these: it is routed, never NATed.
// IPv6 is never NATed (the table is `ip`, IPv4 only).
import { createHash } from 'node:crypto';
import { formatCidr, tryParseCidrLoose } from '../../ipam/cidr.js';
import { formatIp, tryParseIp } from '../../ipam/ip-address.js';
import type { RouterInfo } from '../common/state.js';
import { routerGatewayName } from '../common/state.js';

export const NAT_TABLE_FAMILY = 'ip';
export const NAT_TABLE_NAME = 'nimbus-l3';
export const METADATA_ADDRESS = '169.254.169.254';
export const METADATA_PROXY_PORT = 9697;
const HASH_PREFIX = 'nimbus-l3 sha256:';

export interface FloatingIpNat {
  readonly floatingIp: string;
  readonly fixedIp: string;
}

/** Everything the NAT of one router depends on, already validated and in canonical form. */
export interface RouterNatSpec {
  /** qg-… device, or null when the router has no (IPv4) gateway. */
  readonly gatewayDevice: string | null;
  /** The first IPv4 address of the gateway port (SNAT source), or null. */
  readonly gatewayIp: string | null;
  readonly enableSnat: boolean;
  /** IPv4 CIDRs of the router's internal subnets, sorted, deduplicated. */
  readonly internalCidrs: readonly string[];
  /** Sorted by floating IP. */
  readonly floatingIps: readonly FloatingIpNat[];
  /** Port of the metadata proxy in the namespace; null: no redirect. */
  readonly metadataPort: number | null;
}

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

function ipv4(text: string): string | null {
  const ip = tryParseIp(text);
  return ip && ip.version === 4 ? formatIp(ip) : null;
}

/** The plain address of `a.b.c.d/nn` (or of a bare address), when it is IPv4. */
export function addressOf(cidr: string): string | null {
  const slash = cidr.indexOf('/');
  return ipv4(slash < 0 ? cidr : cidr.slice(0, slash));
}

/** Floating IPs of a router that can be applied (IPv4 on both sides, gateway present). */
export function applicableFloatingIps(router: RouterInfo): FloatingIpNat[] {
  if (router.gateway === null || gatewayIpv4(router) === null) return [];
  const byFip = new Map<string, FloatingIpNat>();
  for (const fip of router.floating_ips) {
    const floatingIp = ipv4(fip.floating_ip_address);
    const fixedIp = ipv4(fip.fixed_ip_address);
    if (floatingIp === null || fixedIp === null) continue;
    byFip.set(floatingIp, { floatingIp, fixedIp });
  }
  return [...byFip.values()].sort((a, b) => compareIpv4(a.floatingIp, b.floatingIp));
}

function gatewayIpv4(router: RouterInfo): string | null {
  for (const cidr of router.gateway?.addresses ?? []) {
    const ip = addressOf(cidr);
    if (ip !== null) return ip;
  }
  return null;
}

function compareIpv4(a: string, b: string): number {
  const va = tryParseIp(a)?.value ?? 0n;
  const vb = tryParseIp(b)?.value ?? 0n;
  return va < vb ? -1 : va > vb ? 1 : 0;
}

/** Builds the NAT spec of a router from its desired state. */
export function routerNatSpec(router: RouterInfo, options: { metadataPort: number | null }): RouterNatSpec {
  const gatewayIp = gatewayIpv4(router);
  const gatewayDevice = router.gateway !== null && gatewayIp !== null ? routerGatewayName(router.gateway.port_id) : null;
  const cidrs = new Map<string, bigint>();
  for (const iface of router.interfaces) {
    for (const subnet of iface.subnets) {
      const parsed = tryParseCidrLoose(subnet.cidr);
      if (parsed && parsed.cidr.version === 4) cidrs.set(formatCidr(parsed.cidr), parsed.cidr.network);
    }
    // Subnets missing from `subnets`: derive the CIDR from the interface address itself.
    for (const address of iface.addresses) {
      const parsed = tryParseCidrLoose(address);
      if (parsed && parsed.cidr.version === 4 && parsed.hasPrefix) cidrs.set(formatCidr(parsed.cidr), parsed.cidr.network);
    }
  }
  const internalCidrs = [...cidrs.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : 1)).map(([c]) => c);
  return {
    gatewayDevice,
    gatewayIp: gatewayDevice === null ? null : gatewayIp,
    enableSnat: router.gateway?.enable_snat ?? false,
    internalCidrs,
    floatingIps: applicableFloatingIps(router),
    metadataPort: router.interfaces.length > 0 ? options.metadataPort : null,
  };
}

function checkSpec(spec: RouterNatSpec): void {
  if (spec.gatewayDevice !== null && !IFNAME.test(spec.gatewayDevice)) throw new Error(`bad gateway device name '${spec.gatewayDevice}'`);
  const addresses = [spec.gatewayIp, ...spec.floatingIps.flatMap((f) => [f.floatingIp, f.fixedIp])];
  for (const a of addresses) if (a !== null && ipv4(a) !== a) throw new Error(`bad IPv4 address '${a}'`);
  for (const c of spec.internalCidrs) {
    const parsed = tryParseCidrLoose(c);
    if (!parsed || parsed.cidr.version !== 4 || formatCidr(parsed.cidr) !== c) throw new Error(`bad IPv4 CIDR '${c}'`);
  }
  if (spec.metadataPort !== null && !(Number.isInteger(spec.metadataPort) && spec.metadataPort > 0 && spec.metadataPort < 65536)) {
    throw new Error(`bad metadata port ${spec.metadataPort}`);
  }
}

/** The rules of the table's three chains (no table wrapper), or null when the router needs no NAT. */
export function renderNatChains(spec: RouterNatSpec): { prerouting: string[]; output: string[]; postrouting: string[] } | null {
  checkSpec(spec);
  const prerouting: string[] = [];
  const output: string[] = [];
  const postrouting: string[] = [];
  if (spec.metadataPort !== null) {
    prerouting.push(`iifname "qr-*" ip daddr ${METADATA_ADDRESS} tcp dport 80 redirect to :${spec.metadataPort}`);
  }
  const qg = spec.gatewayDevice;
  const gw = spec.gatewayIp;
  if (qg !== null && gw !== null) {
    for (const { floatingIp, fixedIp } of spec.floatingIps) {
      prerouting.push(`ip daddr ${floatingIp} dnat to ${fixedIp}`);
      output.push(`ip daddr ${floatingIp} dnat to ${fixedIp}`);
    }
    for (const { floatingIp, fixedIp } of spec.floatingIps) {
      postrouting.push(`ip saddr ${fixedIp} oifname "${qg}" snat to ${floatingIp}`);
    }
    for (const { floatingIp, fixedIp } of spec.floatingIps) {
      postrouting.push(`iifname "qr-*" ct status dnat ip saddr ${fixedIp} snat to ${floatingIp}`);
    }
    if (spec.enableSnat) {
      if (spec.floatingIps.length > 0) postrouting.push(`iifname "qr-*" ct status dnat snat to ${gw}`);
      if (spec.internalCidrs.length > 0) {
        postrouting.push(`oifname "${qg}" ip saddr { ${spec.internalCidrs.join(', ')} } snat to ${gw}`);
      }
    }
  }
  if (prerouting.length + output.length + postrouting.length === 0) return null;
  return { prerouting, output, postrouting };
}

function tableBody(chains: { prerouting: string[]; output: string[]; postrouting: string[] }): string {
  const chain = (name: string, hook: string, priority: string, rules: string[]): string[] => [
    `  chain ${name} {`,
    `    type nat hook ${hook} priority ${priority}; policy accept;`,
    ...rules.map((r) => `    ${r}`),
    '  }',
  ];
  return [
    ...chain('prerouting', 'prerouting', 'dstnat', chains.prerouting),
    ...chain('output', 'output', '-100', chains.output),
    ...chain('postrouting', 'postrouting', 'srcnat', chains.postrouting),
  ].join('\n');
}

export interface RenderedNat {
  /** Hash of the table's content, also stored as the table's comment. */
  readonly hash: string;
  /** `nft -f -` input that atomically replaces (or creates) the table. */
  readonly ruleset: string;
}

/** The table for a router, or null when it needs none (the agent then deletes any old one). */
export function renderNatTable(spec: RouterNatSpec): RenderedNat | null {
  const chains = renderNatChains(spec);
  if (chains === null) return null;
  const body = tableBody(chains);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 32);
  const table = `${NAT_TABLE_FAMILY} ${NAT_TABLE_NAME}`;
  // Declaring the table before deleting it makes the delete succeed whether or not it existed;
  // the whole file is one transaction, so the router never runs without its NAT.
  const ruleset = [
    `table ${table}`,
    `delete table ${table}`,
    `table ${table} {`,
    `  comment "${HASH_PREFIX}${hash}"`,
    body,
    '}',
    '',
  ].join('\n');
  return { hash, ruleset };
}

/** The hash recorded in a table listing (`nft list table ip nimbus-l3`), if any. */
export function parseNatTableHash(listing: string): string | null {
  const m = /^\s*comment "nimbus-l3 sha256:([0-9a-f]+)"\s*$/m.exec(listing);
  return m?.[1] ?? null;
}

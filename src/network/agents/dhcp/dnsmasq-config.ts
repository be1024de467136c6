// Pure rendering of a network's dnsmasq configuration, the way Neutron's Dnsmasq driver does it:
// a command line (one --dhcp-range per DHCP-enabled subnet) plus two files dnsmasq rereads on
// SIGHUP — the hosts file (one static lease per port address) and the options file (per-subnet
// router/DNS/classless routes, per-port extra DHCP options). No I/O here; dhcp-agent.ts applies it.
import { tryParseCidrLoose } from '../../ipam/cidr.js';
import { formatIp, tryParseIp } from '../../ipam/ip-address.js';
import type { DhcpNetwork, SubnetInfo } from '../common/state.js';
import { dhcpInterfaceName } from '../common/state.js';

export const DEFAULT_DNS_DOMAIN = 'openstacklocal';
export const DHCP_LEASE_DURATION = 86400;
/** Neutron's dnsmasq_lease_max default (2**24). */
export const DNSMASQ_LEASE_MAX = 16_777_216;
export const METADATA_ADDRESS = '169.254.169.254';
export const METADATA_CIDR = `${METADATA_ADDRESS}/32`;
/** Microsoft's classless static route option (Windows guests ignore option 121). */
const WIN2K3_STATIC_ROUTES = '249';

export type DhcpPort = DhcpNetwork['ports'][number];

export interface DnsmasqInput {
  readonly network: DhcpNetwork;
  /** Directory of this network's files (host, opts, leases, pid). */
  readonly dir: string;
  readonly domain: string;
  /**
   * dnsmasq drops root for its default user (nobody/dnsmasq) after start and rereads the hosts and
   * options files as that user; when `dir` is not reachable for it, the agent keeps it root
   * (`--user=root`). Default false.
   */
  readonly runAsRoot?: boolean;
  /** True when the metadata proxy runs in this network's DHCP namespace (isolated network). */
  readonly metadata: boolean;
}

/** What dnsmasq is started with and what it rereads on SIGHUP. */
export interface DnsmasqConfig {
  readonly args: readonly string[];
  readonly hosts: string;
  readonly opts: string;
}

const UUIDISH = /^[A-Za-z0-9-]+$/;
const OPT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
// Values go into a line-oriented file: no control characters (a newline would add an option line).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function byId<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A subnet that gets a --dhcp-range (and the mode of that range), or undefined. */
export function dhcpRangeMode(subnet: SubnetInfo, isolated: boolean): 'static' | 'ra-only' | 'ra-stateless' | undefined {
  if (!subnet.enable_dhcp) return undefined;
  if (subnet.ip_version === 4) return 'static';
  const address = subnet.ipv6_address_mode;
  const ra = subnet.ipv6_ra_mode;
  if (address === 'dhcpv6-stateful' || (!address && !ra)) return 'static';
  // Neutron serves stateless DHCPv6 (information-request) from a static range too; dnsmasq then only
  // answers with options. Router advertisements are the router's job (radvd in qrouter); only an
  // isolated network whose subnet asks Neutron for RAs gets them from dnsmasq.
  if (address === 'dhcpv6-stateless') return ra && isolated ? 'ra-stateless' : 'static';
  if (address === 'slaac' && ra && isolated) return 'ra-only';
  return undefined;
}

/** The DHCP-enabled subnets that get a range, sorted by id (stable command lines). */
export function servedSubnets(network: DhcpNetwork): SubnetInfo[] {
  return byId(network.subnets).filter((s) => dhcpRangeMode(s, network.isolated) !== undefined && tryParseCidrLoose(s.cidr));
}

function netmask(prefixlen: number): string {
  const value = prefixlen === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefixlen)) - 1n);
  return formatIp({ version: 4, value });
}

function networkAddress(cidr: string): { address: string; prefixlen: number; size: bigint } | undefined {
  const parsed = tryParseCidrLoose(cidr);
  if (!parsed) return undefined;
  const bits = parsed.cidr.version === 4 ? 32 : 128;
  return {
    address: formatIp({ version: parsed.cidr.version, value: parsed.cidr.network }),
    prefixlen: parsed.cidr.prefixlen,
    size: 1n << BigInt(bits - parsed.cidr.prefixlen),
  };
}

/** Is the network's metadata served from its DHCP namespace (Neutron's enable_isolated_metadata)? */
export function servesMetadata(network: DhcpNetwork, enableIsolatedMetadata: boolean): boolean {
  if (!enableIsolatedMetadata || !network.isolated) return false;
  const v4 = new Set(network.subnets.filter((s) => s.ip_version === 4 && s.enable_dhcp).map((s) => s.id));
  return network.dhcp_port.fixed_ips.some((ip) => v4.has(ip.subnet_id));
}

/** The DHCP port's addresses with their subnets' prefix lengths (what ns-… carries). */
export function dhcpPortAddresses(network: DhcpNetwork): string[] {
  const subnets = new Map(network.subnets.map((s) => [s.id, s]));
  const out: string[] = [];
  for (const fixed of network.dhcp_port.fixed_ips) {
    const subnet = subnets.get(fixed.subnet_id);
    const parsed = subnet ? tryParseCidrLoose(subnet.cidr) : undefined;
    const ip = tryParseIp(fixed.ip_address);
    if (!parsed || !ip || ip.version !== parsed.cidr.version) continue;
    out.push(`${formatIp(ip)}/${parsed.cidr.prefixlen}`);
  }
  return out;
}

function dhcpPortIpOn(network: DhcpNetwork, subnetId: string): string | undefined {
  return network.dhcp_port.fixed_ips.find((f) => f.subnet_id === subnetId)?.ip_address;
}

function defaultHostname(ip: string): string {
  return `host-${ip.replace(/[.:]/g, '-')}`;
}

/**
 * The port's dns_name, or Neutron's per-address default `host-10-0-0-5` (the server sends the
 * default of the port's first address; every address gets its own, as in Neutron).
 */
export function leaseHostname(port: DhcpPort, ip: string): string {
  let name = (port.hostname ?? '').trim().replace(/\.$/, '');
  if (name.includes('.')) name = name.slice(0, name.indexOf('.'));
  const isDefault = name === '' || port.fixed_ips.some((f) => {
    const parsed = tryParseIp(f.ip_address);
    return name === defaultHostname(f.ip_address) || (parsed !== undefined && name === defaultHostname(formatIp(parsed)));
  });
  if (!isDefault && HOST_LABEL.test(name)) return name;
  return defaultHostname(ip);
}

function portHasExtraOpts(port: DhcpPort): boolean {
  return (port.extra_dhcp_opts ?? []).some((o) => validExtraOpt(o));
}

function validExtraOpt(o: { opt_name: string; opt_value: string; ip_version: number }): boolean {
  return typeof o.opt_name === 'string' && OPT_NAME.test(o.opt_name) && typeof o.opt_value === 'string'
    && !CONTROL.test(o.opt_value) && (o.ip_version === 4 || o.ip_version === 6);
}

/**
 * dhcp-hostsfile: `<mac>[,set:port-<id>],<hostname>.<domain>,<ip>` per fixed IP on a subnet served
 * with static leases (IPv6 addresses in brackets). Ports sorted by id, addresses in port order.
 */
export function renderHostsFile(network: DhcpNetwork, domain: string): string {
  const statics = new Set(servedSubnets(network)
    .filter((s) => dhcpRangeMode(s, network.isolated) === 'static' && (s.ip_version === 4 || s.ipv6_address_mode !== 'dhcpv6-stateless'))
    .map((s) => s.id));
  const lines: string[] = [];
  for (const port of byId(network.ports)) {
    if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(port.mac_address) || !UUIDISH.test(port.id)) continue;
    const tag = portHasExtraOpts(port) ? `set:port-${port.id},` : '';
    for (const fixed of port.fixed_ips) {
      if (!statics.has(fixed.subnet_id)) continue;
      const ip = tryParseIp(fixed.ip_address);
      if (!ip) continue;
      const text = formatIp(ip);
      const address = ip.version === 6 ? `[${text}]` : text;
      lines.push(`${port.mac_address.toLowerCase()},${tag}${leaseHostname(port, text)}.${domain},${address}`);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** dhcp-optsfile: per-subnet router, DNS servers and classless routes; per-port extra options. */
export function renderOptsFile(network: DhcpNetwork, options: { metadata: boolean }): string {
  const lines: string[] = [];
  const served = servedSubnets(network);
  for (const subnet of served) {
    const tag = `tag:subnet-${subnet.id}`;
    const dns = subnet.dns_nameservers.filter((d) => tryParseIp(d)?.version === subnet.ip_version);
    if (subnet.ip_version === 6) {
      if (dns.length > 0) lines.push(`${tag},option6:dns-server,${dns.map((d) => `[${d}]`).join(',')}`);
      continue;
    }
    if (dns.length > 0) lines.push(`${tag},option:dns-server,${dns.join(',')}`);
    let gateway = subnet.gateway_ip ?? undefined;
    const routes: string[] = [];
    // On-link routes to the network's other IPv4 subnets (Neutron: `<cidr>,0.0.0.0`).
    for (const other of byId(network.subnets)) {
      if (other.ip_version === 4 && other.cidr !== subnet.cidr) routes.push(`${other.cidr},0.0.0.0`);
    }
    for (const route of subnet.host_routes) {
      const dst = tryParseCidrLoose(route.destination);
      if (!dst || dst.cidr.version !== 4 || tryParseIp(route.nexthop)?.version !== 4) continue;
      if (dst.cidr.prefixlen === 0) {
        gateway ??= route.nexthop; // a 0.0.0.0/0 host route stands in for a missing gateway
        continue;
      }
      routes.push(`${route.destination},${route.nexthop}`);
    }
    const dhcpIp = dhcpPortIpOn(network, subnet.id);
    if (options.metadata && dhcpIp) routes.push(`${METADATA_CIDR},${dhcpIp}`);
    if (routes.length > 0) {
      // RFC 3442: a client that gets classless routes ignores the router option, so the default
      // route must be among them.
      if (gateway) routes.push(`0.0.0.0/0,${gateway}`);
      lines.push(`${tag},option:classless-static-route,${routes.join(',')}`);
      lines.push(`${tag},${WIN2K3_STATIC_ROUTES},${routes.join(',')}`);
    }
    // Without a router option dnsmasq offers its own address as the router: send an empty one.
    lines.push(gateway ? `${tag},option:router,${gateway}` : `${tag},option:router`);
  }
  for (const port of byId(network.ports)) {
    if (!UUIDISH.test(port.id)) continue;
    for (const opt of port.extra_dhcp_opts ?? []) {
      if (!validExtraOpt(opt)) continue;
      const family = opt.ip_version === 6 ? 'option6' : 'option';
      const name = /^[0-9]+$/.test(opt.opt_name) ? opt.opt_name : `${family}:${opt.opt_name}`;
      lines.push(`tag:port-${port.id},${name},${opt.opt_value}`);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** The dnsmasq command line (Neutron's, DNS off: --port=0). */
export function dnsmasqArgs(input: Omit<DnsmasqInput, 'metadata'>): string[] {
  const { network, dir, domain, runAsRoot } = input;
  const served = servedSubnets(network);
  const args = [
    '--no-hosts', '--no-resolv', '--keep-in-foreground', '--port=0',
    `--pid-file=${dir}/pid`,
    `--dhcp-hostsfile=${dir}/host`,
    `--dhcp-optsfile=${dir}/opts`,
    `--dhcp-leasefile=${dir}/leases`,
    '--dhcp-match=set:ipxe,175',
    '--dhcp-authoritative',
    '--bind-interfaces',
    `--interface=${dhcpInterfaceName(network.dhcp_port.id)}`,
    '--except-interface=lo',
  ];
  if (runAsRoot) args.push('--user=root');
  if (DOMAIN.test(domain)) args.push(`--domain=${domain}`);
  let leases = 0n;
  let ra = false;
  for (const subnet of served) {
    const mode = dhcpRangeMode(subnet, network.isolated);
    const net = networkAddress(subnet.cidr);
    if (!mode || !net) continue;
    leases += net.size;
    const mask = subnet.ip_version === 4 ? netmask(net.prefixlen) : String(net.prefixlen);
    args.push(`--dhcp-range=set:subnet-${subnet.id},${net.address},${mode},${mask},${DHCP_LEASE_DURATION}s`);
    if (mode !== 'static') ra = true;
  }
  // Router lifetime 0: on an isolated network the DHCP port announces prefixes, never itself as a
  // default router (it routes nowhere).
  if (ra) args.push('--enable-ra', `--ra-param=${dhcpInterfaceName(network.dhcp_port.id)},30,0`);
  args.push(`--dhcp-option-force=option:mtu,${network.network.mtu}`);
  args.push(`--dhcp-lease-max=${leases > BigInt(DNSMASQ_LEASE_MAX) ? DNSMASQ_LEASE_MAX : Number(leases)}`);
  args.push('--conf-file=/dev/null');
  return args;
}

export function renderDnsmasqConfig(input: DnsmasqInput): DnsmasqConfig {
  return {
    args: dnsmasqArgs(input),
    hosts: renderHostsFile(input.network, input.domain),
    opts: renderOptsFile(input.network, { metadata: input.metadata }),
  };
}

/** One IPv4 lease line of dnsmasq's lease file: `<expiry> <mac> <ip> <hostname> <client-id>`. */
export interface Lease { readonly mac: string; readonly ip: string }

export function parseLeases(text: string): Lease[] {
  const out: Lease[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [, mac, ip] = fields;
    if (!mac || !ip || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac) || tryParseIp(ip)?.version !== 4) continue;
    out.push({ mac: mac.toLowerCase(), ip });
  }
  return out;
}

/** (mac, ip) pairs the hosts file assigns (IPv4 only; brackets mark IPv6). */
export function hostAssignments(hosts: string): Map<string, string> {
  const byIp = new Map<string, string>();
  for (const line of hosts.split('\n')) {
    const fields = line.split(',');
    const mac = fields[0]?.toLowerCase();
    const ip = fields[fields.length - 1];
    if (!mac || !ip || tryParseIp(ip)?.version !== 4) continue;
    byIp.set(ip, mac);
  }
  return byIp;
}

/**
 * Leases that would stop dnsmasq from handing an address to its new owner ("not using configured
 * address … because it is leased to …"): the address now belongs to another MAC. Neutron drops
 * them with dhcp_release; we drop them from the lease file while dnsmasq is stopped.
 */
export function conflictingLeases(leasesText: string, hosts: string): Lease[] {
  const wanted = hostAssignments(hosts);
  return parseLeases(leasesText).filter((l) => {
    const owner = wanted.get(l.ip);
    return owner !== undefined && owner !== l.mac;
  });
}

/** The lease file without the given leases. */
export function withoutLeases(leasesText: string, drop: readonly Lease[]): string {
  const gone = new Set(drop.map((l) => `${l.mac} ${l.ip}`));
  return leasesText.split('\n').filter((line) => {
    const [, mac, ip] = line.trim().split(/\s+/);
    return !(mac && ip && gone.has(`${mac.toLowerCase()} ${ip}`));
  }).join('\n');
}

export type DnsmasqAction = 'none' | 'start' | 'restart' | 'reload';

/**
 * What to do with a network's dnsmasq. `previous` is what the running dnsmasq was given (kept in
 * memory, or read back from its files on agent start); undefined when unknown.
 *  - not running → start;
 *  - command line changed (subnets, ranges, interface, MTU), unknown previous, or a lease blocks
 *    an address's new owner → restart (the lease file keeps every other lease);
 *  - only the hosts/options files changed → reload (SIGHUP: dnsmasq rereads both files);
 *  - else nothing.
 */
export function dnsmasqAction(previous: DnsmasqConfig | undefined, next: DnsmasqConfig,
  state: { running: boolean; conflictingLeases?: number }): DnsmasqAction {
  if (!state.running) return 'start';
  if (!previous || !sameArgs(previous.args, next.args)) return 'restart';
  if ((state.conflictingLeases ?? 0) > 0) return 'restart';
  if (previous.hosts !== next.hosts || previous.opts !== next.opts) return 'reload';
  return 'none';
}

export function sameArgs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

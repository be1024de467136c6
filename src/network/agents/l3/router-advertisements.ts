// IPv6 router advertisements of a legacy router: Neutron's L3 agent runs radvd in the qrouter
// namespace for every internal IPv6 subnet whose ipv6_ra_mode is set. We have no radvd, so the
// same advertisements come from dnsmasq in RA-only duty (DNS off, DHCPv6 ignored), one per router,
// supervised by Daemons as `radvd-<router-id>`.
//
// What each ipv6_ra_mode advertises (Neutron's radvd.conf → dnsmasq --dhcp-range mode):
//   slaac             prefix L+A, no M/O           → `ra-only`
//   dhcpv6-stateless  prefix L+A, O (other config) → `ra-stateless`
//   dhcpv6-stateful   prefix L only, M (managed)   → `static` (dnsmasq also sets O, which M implies)
// plus the MTU option (networks of at least 1280 bytes) and RDNSS when the subnet has IPv6
// dns_nameservers. DHCPv6 itself is the DHCP agent's job: `--dhcp-ignore=tag:!known` (there are no
// known hosts) keeps this dnsmasq from answering any DHCPv6 request on the stateful/stateless
// ranges, and `--leasefile-ro` keeps it from writing a lease database.
//
// Rendering is pure (router in, argv out); ensure/stop apply it through Daemons, which adopts a
// running daemon with the same argv and restarts one whose argv changed.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DaemonSpec, Daemons } from '../../../hostnet/index.js';
import { tryParseCidrLoose } from '../../ipam/cidr.js';
import { formatIp, tryParseIp } from '../../ipam/ip-address.js';
import type { RouterInfo } from '../common/state.js';
import { routerInterfaceName } from '../common/state.js';

export type RaMode = 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless';
export const RA_MODES: readonly RaMode[] = ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'];

/** Seconds between unsolicited advertisements (radvd: Neutron's MinRtrAdvInterval 30). Solicitations are answered at once. */
export const RA_INTERVAL_SECONDS = 30;
/** Router lifetime: how long hosts keep the default route without hearing from us (Neutron: 3 × MaxRtrAdvInterval 100). */
export const RA_ROUTER_LIFETIME_SECONDS = 300;
/** Valid and preferred lifetime of the advertised prefixes (radvd's default valid lifetime). */
export const RA_PREFIX_LIFETIME_SECONDS = 86400;
/** The MTU option is only sent for links that can carry IPv6 (RFC 8200 minimum). */
export const IPV6_MIN_MTU = 1280;

/** `radvd-<router-id>`: the Daemons id of a router's advertisement daemon. */
export function radvdDaemonId(routerId: string): string {
  return `radvd-${routerId}`;
}

export interface RaPrefix {
  readonly subnetId: string;
  /** Network address, canonical (`2001:db8:1::`). */
  readonly prefix: string;
  readonly prefixlen: number;
  readonly mode: RaMode;
  /** The subnet's IPv6 DNS servers (RDNSS), canonical, in the subnet's order. */
  readonly dnsServers: readonly string[];
}

export interface RaInterface {
  /** qr-… in the router namespace. */
  readonly device: string;
  readonly mtu: number;
  readonly prefixes: readonly RaPrefix[];
}

const SUBNET_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const DEVICE = /^[A-Za-z0-9_.-]{1,15}$/;

function isRaMode(value: string | null): value is RaMode {
  return value !== null && (RA_MODES as readonly string[]).includes(value);
}

/** Does one of the interface's addresses (`addr/len`) lie in the prefix? dnsmasq only advertises prefixes the interface holds. */
function holdsAddressIn(addresses: readonly string[], network: bigint, prefixlen: number): boolean {
  const shift = BigInt(128 - prefixlen);
  return addresses.some((a) => {
    const parsed = tryParseCidrLoose(a);
    return parsed !== undefined && parsed.address.version === 6 && parsed.address.value >> shift === network >> shift;
  });
}

/**
 * The router's internal interfaces that advertise, each with its prefixes (sorted by subnet id).
 * A subnet advertises when it is IPv6, has an ipv6_ra_mode, and the qr- device holds an address in it.
 */
export function routerAdvertisementInterfaces(router: RouterInfo): RaInterface[] {
  const out: RaInterface[] = [];
  for (const iface of router.interfaces) {
    const device = routerInterfaceName(iface.port_id);
    if (!DEVICE.test(device)) continue;
    const prefixes: RaPrefix[] = [];
    const seen = new Set<string>();
    for (const subnet of [...iface.subnets].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      if (subnet.ip_version !== 6 || !isRaMode(subnet.ipv6_ra_mode) || !SUBNET_ID.test(subnet.id)) continue;
      const parsed = tryParseCidrLoose(subnet.cidr);
      if (!parsed || parsed.cidr.version !== 6 || parsed.cidr.prefixlen > 126) continue;
      const { network, prefixlen } = parsed.cidr;
      if (!holdsAddressIn(iface.addresses, network, prefixlen)) continue;
      const prefix = formatIp({ version: 6, value: network });
      if (seen.has(`${prefix}/${prefixlen}`)) continue;
      seen.add(`${prefix}/${prefixlen}`);
      const dnsServers: string[] = [];
      for (const server of subnet.dns_nameservers) {
        const ip = tryParseIp(server);
        if (ip?.version !== 6) continue;
        const text = formatIp(ip);
        if (!dnsServers.includes(text)) dnsServers.push(text);
      }
      prefixes.push({ subnetId: subnet.id, prefix, prefixlen, mode: subnet.ipv6_ra_mode, dnsServers });
    }
    if (prefixes.length > 0) out.push({ device, mtu: iface.mtu, prefixes });
  }
  return out.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
}

/** dnsmasq's --dhcp-range mode for an ipv6_ra_mode (see the table at the top). */
export function dnsmasqRaRangeMode(mode: RaMode): 'ra-only' | 'ra-stateless' | 'static' {
  switch (mode) {
    case 'slaac': return 'ra-only';
    case 'dhcpv6-stateless': return 'ra-stateless';
    case 'dhcpv6-stateful': return 'static';
  }
}

export interface RadvdPaths {
  /** dnsmasq's own pid file (never the default /run/dnsmasq.pid). Daemons tracks the pid itself. */
  readonly pidFile: string;
}

/** The dnsmasq command line (after `dnsmasq`) for the interfaces; null when none advertises. */
export function radvdArgs(interfaces: readonly RaInterface[], paths: RadvdPaths): string[] | null {
  if (interfaces.length === 0) return null;
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-hosts', '--no-resolv',
    '--port=0',
    `--pid-file=${paths.pidFile}`,
    '--leasefile-ro',
    '--log-facility=-',
    '--quiet-ra', '--quiet-dhcp6',
    '--bind-interfaces',
    '--except-interface=lo',
    ...interfaces.map((i) => `--interface=${i.device}`),
    '--enable-ra',
    // No DHCPv6 from the router: every client is unknown (no dhcp-host lines), so all are ignored.
    '--dhcp-ignore=tag:!known',
  ];
  for (const iface of interfaces) {
    const mtu = Number.isInteger(iface.mtu) && iface.mtu >= IPV6_MIN_MTU ? `mtu:${iface.mtu}` : 'mtu:off';
    args.push(`--ra-param=${iface.device},${mtu},${RA_INTERVAL_SECONDS},${RA_ROUTER_LIFETIME_SECONDS}`);
  }
  for (const iface of interfaces) {
    for (const p of iface.prefixes) {
      const tag = `subnet-${p.subnetId}`;
      args.push(`--dhcp-range=set:${tag},${p.prefix},${dnsmasqRaRangeMode(p.mode)},${p.prefixlen},${RA_PREFIX_LIFETIME_SECONDS}s`);
      if (p.dnsServers.length > 0) args.push(`--dhcp-option=tag:${tag},option6:dns-server,${p.dnsServers.map((d) => `[${d}]`).join(',')}`);
    }
  }
  return args;
}

export interface RadvdOptions {
  /** The router's namespace. */
  readonly netns: string;
  /** Directory of the daemons' pid and log files (created on start). */
  readonly dir: string;
}

function files(routerId: string, dir: string): { pidFile: string; logFile: string } {
  const id = radvdDaemonId(routerId);
  return { pidFile: join(dir, `${id}.pid`), logFile: join(dir, `${id}.log`) };
}

/** The daemon a router needs, or null when none of its internal subnets advertises. */
export function radvdDaemonSpec(router: RouterInfo, options: RadvdOptions): DaemonSpec | null {
  const { pidFile, logFile } = files(router.id, options.dir);
  const args = radvdArgs(routerAdvertisementInterfaces(router), { pidFile });
  if (args === null) return null;
  return { id: radvdDaemonId(router.id), netns: options.netns, command: 'dnsmasq', args, logFile };
}

export interface RadvdResult {
  /** The daemon runs (now). */
  readonly running: boolean;
  /** It was (re)started by this call. */
  readonly started: boolean;
  /** A daemon that is no longer wanted was stopped by this call. */
  readonly stopped: boolean;
  readonly pid?: number;
}

/**
 * Brings the router's advertisement daemon to its desired state: running with the current argv
 * (adopted when it already is; restarted when its argv changed), or stopped when no subnet
 * advertises. `running` is the Daemons ids known to run (one read per reconcile), so that a router
 * without IPv6 costs nothing.
 */
export async function ensureRouterAdvertisements(daemons: Daemons, router: RouterInfo, options: RadvdOptions,
  running?: ReadonlySet<string>): Promise<RadvdResult> {
  const id = radvdDaemonId(router.id);
  const spec = radvdDaemonSpec(router, options);
  if (spec === null) {
    const wasRunning = running === undefined ? (await daemons.running()).includes(id) : running.has(id);
    if (wasRunning) await daemons.stop(id);
    return { running: false, started: false, stopped: wasRunning };
  }
  await mkdir(options.dir, { recursive: true });
  const { pid, started } = await daemons.ensure(spec);
  return { running: true, started, stopped: false, pid };
}

/** Stops the router's daemon and removes its files; true if it was running. Idempotent. */
export async function stopRouterAdvertisements(daemons: Daemons, routerId: string, dir: string): Promise<boolean> {
  const id = radvdDaemonId(routerId);
  const wasRunning = (await daemons.running()).includes(id);
  await daemons.stop(id);
  const { pidFile, logFile } = files(routerId, dir);
  await Promise.all([rm(pidFile, { force: true }), rm(logFile, { force: true })]);
  return wasRunning;
}

// The kernel side of one legacy router's namespace: its qr-/qg- veths (host side tap…, plugged
// by the L2 agent), their addresses (floating IPs as /32s on qg-, as Neutron does) and its routes
// (default via the external gateway, extra routes). Planning and diffing are pure; apply() reads
// the namespace once and runs only the commands the difference needs.
import { tryParseCidrLoose } from '../../ipam/cidr.js';
import { formatIp, tryParseIp } from '../../ipam/ip-address.js';
import type { AddressInfo, LinkInfo, NetnsHost, RouteInfo } from '../../../hostnet/index.js';
import type { RouterInfo, RouterInterface } from '../common/state.js';
import { portDeviceName, routerGatewayName, routerInterfaceName } from '../common/state.js';
import { applicableFloatingIps } from './nat-rules.js';

export interface PlannedDevice {
  readonly kind: 'internal' | 'gateway';
  readonly portId: string;
  /** qr-… / qg-… inside the router namespace. */
  readonly name: string;
  /** tap… in the host namespace (veth peer). */
  readonly hostName: string;
  readonly mac: string;
  readonly mtu: number;
  /** Canonical address/prefixlen list (host bits kept). */
  readonly addresses: readonly string[];
}

export interface PlannedRoute {
  /** 'default', a canonical network CIDR, or a plain address for a host route (as `ip -json route` prints). */
  readonly dst: string;
  readonly via: string;
  readonly dev?: string;
  readonly family: 4 | 6;
}

export interface RouterNamespacePlan {
  readonly netns: string;
  readonly devices: readonly PlannedDevice[];
  readonly routes: readonly PlannedRoute[];
}

const ROUTER_DEVICE = /^(qr|qg)-/;

/** `10.0.0.1/24` with the address canonicalised (`2001:DB8::1/64` → `2001:db8::1/64`); null if invalid. */
export function canonicalInterfaceCidr(text: string): string | null {
  const parsed = tryParseCidrLoose(text);
  if (!parsed) return null;
  return `${formatIp(parsed.address)}/${parsed.cidr.prefixlen}`;
}

/** Route destination as `ip -json route` prints it: default, plain address for /32 /128, else network/len. */
export function canonicalRouteDst(text: string): string | null {
  if (text === 'default') return 'default';
  const parsed = tryParseCidrLoose(text);
  if (!parsed) return null;
  const { cidr } = parsed;
  if (cidr.prefixlen === 0) return 'default';
  const network = formatIp({ version: cidr.version, value: cidr.network });
  return cidr.prefixlen === (cidr.version === 4 ? 32 : 128) ? network : `${network}/${cidr.prefixlen}`;
}

function canonicalIp(text: string): string | null {
  const ip = tryParseIp(text);
  return ip ? formatIp(ip) : null;
}

function uniqueCidrs(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of list) {
    const c = canonicalInterfaceCidr(a);
    if (c !== null && !out.includes(c)) out.push(c);
  }
  return out;
}

function device(kind: 'internal' | 'gateway', iface: RouterInterface, extra: readonly string[] = []): PlannedDevice {
  return {
    kind,
    portId: iface.port_id,
    name: kind === 'internal' ? routerInterfaceName(iface.port_id) : routerGatewayName(iface.port_id),
    hostName: portDeviceName(iface.port_id),
    mac: iface.mac_address.toLowerCase(),
    mtu: iface.mtu,
    addresses: uniqueCidrs([...iface.addresses, ...extra]),
  };
}

/** Whether `ip` lies in one of the (interface) CIDRs. */
function onLink(ip: string, cidrs: readonly string[]): boolean {
  const addr = tryParseIp(ip);
  if (!addr) return false;
  return cidrs.some((c) => {
    const parsed = tryParseCidrLoose(c);
    if (!parsed || parsed.cidr.version !== addr.version) return false;
    const bits = BigInt((addr.version === 4 ? 32 : 128) - parsed.cidr.prefixlen);
    return addr.value >> bits === parsed.cidr.network >> bits;
  });
}

/** What the namespace of a router must contain. */
export function planRouterNamespace(router: RouterInfo, netns: string): RouterNamespacePlan {
  const devices: PlannedDevice[] = router.interfaces.map((i) => device('internal', i));
  const routes = new Map<string, PlannedRoute>();
  const key = (family: 4 | 6, dst: string): string => `${family} ${dst}`;
  if (router.gateway !== null) {
    const fips = applicableFloatingIps(router).map((f) => `${f.floatingIp}/32`);
    const gw = device('gateway', router.gateway, fips);
    devices.push(gw);
    for (const family of [4, 6] as const) {
      const via = router.gateway.gateway_ips.map(canonicalIp).find((ip) => ip !== null && tryParseIp(ip)?.version === family);
      if (via) routes.set(key(family, 'default'), { dst: 'default', via, dev: gw.name, family });
    }
  }
  const connected = devices.flatMap((d) => d.addresses);
  for (const r of router.routes) {
    const dst = canonicalRouteDst(r.destination);
    const via = canonicalIp(r.nexthop);
    if (dst === null || via === null) continue;
    const family = tryParseIp(via)!.version;
    if (dst !== 'default' && tryParseCidrLoose(dst)?.cidr.version !== family) continue;
    // Neutron refuses nexthops the router is not connected to; the kernel would too.
    if (!onLink(via, connected)) continue;
    routes.set(key(family, dst), { dst, via, family });
  }
  return { netns, devices, routes: [...routes.values()] };
}

/** Addresses to add/remove on one of our devices; link-local IPv6 (fe80::/10) is the kernel's and stays. */
export function diffAddresses(desired: readonly string[], current: readonly AddressInfo[]): { add: string[]; remove: string[] } {
  const want = new Set(desired);
  const have = new Set<string>();
  const remove: string[] = [];
  for (const a of current) {
    if (a.family === 6 && (a.scope === 'link' || /^fe[89ab][0-9a-f]:/i.test(a.cidr))) continue;
    const c = canonicalInterfaceCidr(a.cidr);
    if (c === null) continue;
    have.add(c);
    if (!want.has(c)) remove.push(a.cidr);
  }
  return { add: desired.filter((d) => !have.has(d)), remove };
}

/**
 * Routes to replace and to delete. Only gatewayed routes (with a `via`) are ours to delete;
 * connected routes belong to the addresses.
 */
export function diffRoutes(desired: readonly PlannedRoute[], current: readonly RouteInfo[]): { replace: PlannedRoute[]; remove: RouteInfo[] } {
  const wanted = new Map(desired.map((r) => [`${r.family} ${r.dst}`, r]));
  const satisfied = new Set<string>();
  const remove: RouteInfo[] = [];
  for (const r of current) {
    if (r.via === undefined) continue;
    const dst = canonicalRouteDst(r.dst);
    const via = canonicalIp(r.via);
    const k = `${r.family} ${dst ?? r.dst}`;
    const want = wanted.get(k);
    if (want && want.via === via && (want.dev === undefined || want.dev === r.dev) && !satisfied.has(k)) {
      satisfied.add(k);
    } else if (!want) {
      remove.push(r);
    }
    // A different route for a wanted destination is replaced below (ip route replace).
  }
  return { replace: desired.filter((r) => !satisfied.has(`${r.family} ${r.dst}`)), remove };
}

export interface ApplyResult {
  /** Mutating commands run. */
  mutations: number;
  /** IPv4 addresses newly configured on a gateway device (to announce with gratuitous ARP). */
  announce: { dev: string; ip: string }[];
  /** Host-side tap names of the namespace's former devices that were removed. */
  removedHostDevices: string[];
}

/**
 * Brings the namespace to the plan. `hostLinks` is the host namespace's link list read at the
 * start of this reconcile (the taps' state).
 */
export async function applyRouterNamespace(plan: RouterNamespacePlan, ns: NetnsHost, host: NetnsHost,
  hostLinks: readonly LinkInfo[]): Promise<ApplyResult> {
  const result: ApplyResult = { mutations: 0, announce: [], removedHostDevices: [] };
  const nsLinks = new Map((await ns.links()).map((l) => [l.name, l]));
  const hostByName = new Map(hostLinks.map((l) => [l.name, l]));
  const wanted = new Set(plan.devices.map((d) => d.name));

  // Devices of ports the router no longer has: deleting our end deletes the host-side tap too.
  for (const name of nsLinks.keys()) {
    if (!ROUTER_DEVICE.test(name) || wanted.has(name)) continue;
    await ns.deleteLink(name);
    result.mutations++;
    result.removedHostDevices.push(`tap${name.slice(3)}`);
    nsLinks.delete(name);
  }

  for (const d of plan.devices) {
    let inner = nsLinks.get(d.name);
    let fresh = false;
    if (inner === undefined || inner.kind !== 'veth') {
      if (inner !== undefined) { await ns.deleteLink(d.name); result.mutations++; }
      // A tap left without its peer (interrupted create, or a moved device) is replaced.
      if (hostByName.has(d.hostName)) { await host.deleteLink(d.hostName); result.mutations++; }
      await host.addVeth(d.hostName, d.name, { peerNetns: plan.netns, mtu: d.mtu, peerMac: d.mac });
      result.mutations++;
      fresh = true;
      inner = undefined;
    }
    const innerChanges: { up?: boolean; mtu?: number; mac?: string } = {};
    if (fresh || inner?.mac.toLowerCase() !== d.mac) innerChanges.mac = d.mac;
    if (fresh || inner?.mtu !== d.mtu) innerChanges.mtu = d.mtu;
    if (fresh || !inner?.up) innerChanges.up = true;
    if (fresh) { delete innerChanges.mac; delete innerChanges.mtu; } // set at creation
    if (Object.keys(innerChanges).length > 0) { await ns.setLink(d.name, innerChanges); result.mutations++; }
    const outer = fresh ? undefined : hostByName.get(d.hostName);
    const outerChanges: { up?: boolean; mtu?: number } = {};
    if (fresh || (outer !== undefined && outer.mtu !== d.mtu)) outerChanges.mtu = d.mtu;
    if (fresh || (outer !== undefined && !outer.up)) outerChanges.up = true;
    if (fresh) delete outerChanges.mtu;
    if (Object.keys(outerChanges).length > 0) { await host.setLink(d.hostName, outerChanges); result.mutations++; }

    const { add, remove } = diffAddresses(d.addresses, fresh ? [] : await ns.addresses(d.name));
    for (const cidr of remove) { await ns.deleteAddress(d.name, cidr); result.mutations++; }
    for (const cidr of add) {
      await ns.addAddress(d.name, cidr);
      result.mutations++;
      const ip = cidr.slice(0, cidr.indexOf('/'));
      if (d.kind === 'gateway' && tryParseIp(ip)?.version === 4) result.announce.push({ dev: d.name, ip });
    }
  }

  for (const family of [4, 6] as const) {
    const mine = plan.routes.filter((r) => r.family === family);
    const { replace, remove } = diffRoutes(mine, await ns.routes(family));
    for (const r of remove) {
      await ns.deleteRoute({ dst: r.dst, via: r.via, ...(r.dev !== undefined ? { dev: r.dev } : {}), family });
      result.mutations++;
    }
    for (const r of replace) {
      await ns.replaceRoute({ dst: r.dst, via: r.via, ...(r.dev !== undefined ? { dev: r.dev } : {}), family });
      result.mutations++;
    }
  }
  return result;
}

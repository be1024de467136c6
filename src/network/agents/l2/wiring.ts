// Network wiring of the Linux-bridge agent: one bridge `brq<net[:11]>` per network, with the
// network's uplink enslaved — a `vxlan-<vni>` device (l2population: no learning, unicast FDB;
// no ARP proxy, Neutron's arp_responder=False default: the kernel's proxy swallows ARP requests
// for addresses it has no entry for, which breaks allowed address pairs and ports without port
// security across hosts) or the interface a flat network's physnet maps to. Level-triggered: reads links,
// changes only what differs.
import type { KernelCapabilities, LinkInfo, NetnsHost } from '../../../hostnet/index.js';
import { networkBridgeName, vxlanDeviceName, type NetworkInfo } from '../common/state.js';

/** What the L2 agent needs of a host namespace (NetnsHost; tests may wrap or fake it). */
export type L2Host = Pick<NetnsHost, 'netns' | 'links' | 'link' | 'addBridge' | 'addVxlan' | 'addVlan' | 'setLink' | 'deleteLink' |
  'fdb' | 'fdbAppend' | 'fdbReplace' | 'fdbDelete' | 'neighbours' | 'neighReplace' | 'neighDelete' | 'sysctl' | 'nftApply' | 'nftTables' | 'nftDeleteTable' | 'exec'>;

export interface L2Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const VXLAN_PORT = 4789;
/** Names this agent owns in the host namespace; nothing else is ever deleted. */
export const BRIDGE_PATTERN = /^brq[0-9A-Za-z-]{1,11}$/;
export const VXLAN_PATTERN = /^vxlan-[0-9]{1,8}$/;
/** `<interface>.<vid>` sub-interfaces this agent makes for vlan networks. */
export const VLAN_PATTERN = /^[0-9A-Za-z_-]{1,13}\.[0-9]{1,4}$/;

/** Neutron's vlan device name: the interface name cut so that `.<vid>` fits in 15 characters. */
export function vlanDeviceName(iface: string, vid: number): string {
  const suffix = `.${vid}`;
  return `${iface.slice(0, 15 - suffix.length)}${suffix}`;
}

export interface WiringOptions {
  readonly tunnelIp?: string;
  readonly tunnelDevice?: string;
  /** physnet → host interface (flat networks). */
  readonly bridgeMappings: Readonly<Record<string, string>>;
  readonly capabilities: KernelCapabilities;
}

/** How one network is wired on this host, or why it cannot be. */
export type WiringPlan =
  | { readonly ok: true; readonly bridge: string; readonly mtu: number; readonly vxlan?: { readonly name: string; readonly vni: number };
      readonly vlan?: { readonly name: string; readonly parent: string; readonly vid: number }; readonly uplink?: string }
  | { readonly ok: false; readonly bridge: string; readonly reason: string };

/** Pure: the devices a network needs here. */
export function planNetwork(network: NetworkInfo, options: WiringOptions): WiringPlan {
  const bridge = networkBridgeName(network.id);
  const mtu = network.mtu;
  switch (network.network_type) {
    case 'local':
      return { ok: true, bridge, mtu };
    case 'vxlan': {
      if (!options.capabilities.vxlan) return { ok: false, bridge, reason: 'this kernel has no vxlan support' };
      if (!options.tunnelIp) return { ok: false, bridge, reason: 'no tunnel IP configured' };
      const vni = network.segmentation_id;
      if (vni === null || !Number.isInteger(vni) || vni < 1 || vni > 16_777_215) return { ok: false, bridge, reason: `invalid VNI ${String(vni)}` };
      return { ok: true, bridge, mtu, vxlan: { name: vxlanDeviceName(vni), vni } };
    }
    case 'flat': {
      const physnet = network.physical_network;
      const uplink = physnet === null ? undefined : options.bridgeMappings[physnet];
      if (uplink === undefined) return { ok: false, bridge, reason: `physical network ${String(physnet)} is not in bridge_mappings` };
      return { ok: true, bridge, mtu, uplink };
    }
    case 'vlan': {
      // Some kernels (this machine's) lack 802.1Q: the network is reported unsupported here.
      if (!options.capabilities.vlan) return { ok: false, bridge, reason: 'this kernel has no 802.1Q VLAN support' };
      const physnet = network.physical_network;
      const parent = physnet === null ? undefined : options.bridgeMappings[physnet];
      if (parent === undefined) return { ok: false, bridge, reason: `physical network ${String(physnet)} is not in bridge_mappings` };
      const vid = network.segmentation_id;
      if (vid === null || !Number.isInteger(vid) || vid < 1 || vid > 4094) return { ok: false, bridge, reason: `invalid VLAN id ${String(vid)}` };
      const name = vlanDeviceName(parent, vid);
      return { ok: true, bridge, mtu, vlan: { name, parent, vid }, uplink: name };
    }
    default:
      return { ok: false, bridge, reason: `network type ${network.network_type} is not supported by the Linux bridge agent` };
  }
}

/** Network types this agent cannot wire here (agent configurations). */
export function unsupportedNetworkTypes(options: WiringOptions): string[] {
  const out: string[] = [];
  if (!options.capabilities.vxlan || !options.tunnelIp) out.push('vxlan');
  if (!options.capabilities.vlan) out.push('vlan');
  out.push('gre', 'geneve');
  return out;
}

/** Mutable view of the namespace's links, refreshed after each change the agent makes. */
export class LinkTable {
  readonly #links = new Map<string, LinkInfo>();
  constructor(private readonly host: L2Host, links: readonly LinkInfo[]) {
    for (const l of links) this.#links.set(l.name, l);
  }
  get(name: string): LinkInfo | undefined { return this.#links.get(name); }
  names(): string[] { return [...this.#links.keys()]; }
  async refresh(name: string): Promise<LinkInfo | undefined> {
    const l = await this.host.link(name);
    if (l) this.#links.set(name, l); else this.#links.delete(name);
    return l;
  }
  forget(name: string): void { this.#links.delete(name); }
}

/** Applies up/mtu/master changes to a link when they differ from what it has. */
export async function ensureLinkState(host: L2Host, links: LinkTable, name: string,
  want: { up?: boolean; mtu?: number; master?: string }): Promise<boolean> {
  const l = links.get(name) ?? await links.refresh(name);
  if (!l) return false;
  const changes: { up?: boolean; mtu?: number; master?: string } = {};
  if (want.mtu !== undefined && l.mtu !== want.mtu) changes.mtu = want.mtu;
  if (want.master !== undefined && l.master !== want.master) changes.master = want.master;
  if (want.up !== undefined && l.up !== want.up) changes.up = want.up;
  if (Object.keys(changes).length === 0) return true;
  await host.setLink(name, changes);
  await links.refresh(name);
  return true;
}

async function ensureBridge(host: L2Host, links: LinkTable, bridge: string, mtu: number): Promise<void> {
  const existing = links.get(bridge);
  if (existing && existing.kind !== 'bridge') throw new Error(`${bridge} exists but is a ${existing.kind ?? 'plain'} link, not a bridge`);
  if (!existing) {
    await host.addBridge(bridge, { mtu });
    await links.refresh(bridge);
  }
  await ensureLinkState(host, links, bridge, { mtu, up: true });
}

async function ensureVxlan(host: L2Host, links: LinkTable, plan: { bridge: string; mtu: number; vxlan: { name: string; vni: number } },
  options: WiringOptions): Promise<void> {
  const { name, vni } = plan.vxlan;
  const local = options.tunnelIp!;
  const existing = links.get(name);
  const vx = existing?.vxlan;
  const right = vx !== undefined && vx.id === vni && vx.local === local && (vx.dstport ?? VXLAN_PORT) === VXLAN_PORT &&
    !vx.learning && !vx.proxy && (options.tunnelDevice === undefined || vx.dev === options.tunnelDevice);
  if (existing && !right) {
    // vxlan settings cannot be changed in place: recreate (its FDB is rebuilt by l2pop).
    await host.deleteLink(name);
    links.forget(name);
  }
  if (!existing || !right) {
    await host.addVxlan(name, {
      vni, local, ...(options.tunnelDevice !== undefined ? { dev: options.tunnelDevice } : {}),
      dstport: VXLAN_PORT, learning: false, proxy: false, mtu: plan.mtu,
    });
    await links.refresh(name);
  }
  await ensureLinkState(host, links, name, { master: plan.bridge, mtu: plan.mtu, up: true });
}

/**
 * Creates/updates the network's bridge and uplink. Returns false when the uplink cannot be
 * attached (flat interface missing): the bridge exists but the network is not wired.
 */
export async function wireNetwork(host: L2Host, links: LinkTable, plan: WiringPlan & { ok: true }, options: WiringOptions): Promise<boolean> {
  await ensureBridge(host, links, plan.bridge, plan.mtu);
  if (plan.vxlan) await ensureVxlan(host, links, { bridge: plan.bridge, mtu: plan.mtu, vxlan: plan.vxlan }, options);
  if (plan.vlan && !links.get(plan.vlan.name)) {
    if (!links.get(plan.vlan.parent)) return false;
    await ensureLinkState(host, links, plan.vlan.parent, { up: true });
    await host.addVlan(plan.vlan.name, { parent: plan.vlan.parent, vid: plan.vlan.vid });
    await links.refresh(plan.vlan.name);
  }
  if (plan.uplink !== undefined) {
    // The physical interface keeps its own MTU; it is only enslaved and brought up.
    if (!links.get(plan.uplink)) return false;
    await ensureLinkState(host, links, plan.uplink, { master: plan.bridge, up: true });
  }
  return true;
}

/** Deletes our bridges and vxlan devices (by name pattern only) that no network wants any more. */
export async function removeStale(host: L2Host, links: LinkTable, wanted: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of links.names()) {
    if (wanted.has(name)) continue;
    const l = links.get(name);
    const ours = (BRIDGE_PATTERN.test(name) && l?.kind === 'bridge') || (VXLAN_PATTERN.test(name) && l?.kind === 'vxlan') ||
      (VLAN_PATTERN.test(name) && l?.kind === 'vlan');
    if (!ours) continue;
    await host.deleteLink(name);
    links.forget(name);
    removed.push(name);
  }
  return removed;
}

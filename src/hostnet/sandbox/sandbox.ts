// The simulated-hosts sandbox: N "hosts" as network namespaces joined by an underlay bridge, plus
// a provider ("public") network with an external client, all behind one fabric namespace.
//
//   nimbus-<name>-h<i>:   ul0 (tunnel ip) ──veth── ul-h<i>  ┐ br-underlay
//                         pub0 (no addr)  ──veth── pub-h<i> ┐ br-public (gateway address, no uplink)
//   nimbus-<name>-ext:    eth0 203.0.113.10 ──veth── ext-client 203.0.113.1      (no uplink)
//   root namespace:       nimbus-<name> (gateway address) ──veth── uplink ┘     (uplink only)
//                         └──────────── nimbus-<name>-fabric (ip_forward=1) ───────────┘
//
// createSandbox converges: it creates what is missing and fixes what is wrong, and leaves alone
// whatever is already right (no link is recreated, so restarting the all-in-one disturbs no
// traffic). The root namespace is only ever given the uplink veth and its address.
import { deleteNetns, ensureNetns, listNetns } from '../netns.js';
import { NetnsHost } from '../host.js';
import { killNamespaceProcesses } from './processes.js';
import { SandboxConfigError, addressOverlaps } from './ipv4.js';
import {
  EXT_CLIENT_DEVICE, EXT_FABRIC_DEVICE, HOST_PUBLIC_DEVICE, HOST_TUNNEL_DEVICE, PUBLIC_BRIDGE, UNDERLAY_BRIDGE, UPLINK_FABRIC_DEVICE,
  assertSandboxName, planSandbox, sandboxPrefix, uplinkDeviceName, type PlannedHost, type SandboxOptions, type SandboxPlan,
} from './topology.js';

export type { SandboxOptions } from './topology.js';

export interface SandboxHost {
  /** Agent host name: `<sandbox>-host<i>`. */
  name: string;
  /** `nimbus-<sandbox>-h<i>`. */
  netns: string;
  tunnelIp: string;
  tunnelDevice: 'ul0';
  publicDevice: 'pub0';
  bridgeMappings: { public: 'pub0' };
  /** `${netns}-`: the agents' router/DHCP namespaces of this host start with it. */
  namespacePrefix: string;
}

export interface Sandbox {
  name: string;
  hosts: SandboxHost[];
  fabricNetns: string;
  publicCidr: string;
  publicGateway: string;
  /** Without uplink: the namespace standing for "the internet". */
  externalClient?: { netns: string; address: string };
  /** With uplink: the veth in the root namespace that carries the public gateway address. */
  uplinkDevice?: string;
  destroy(): Promise<void>;
}

/** Every namespace of the sandbox, including its agents' (`nimbus-<name>-h1-qrouter-…`). */
export async function sandboxNamespaces(name: string): Promise<string[]> {
  const prefix = sandboxPrefix(name);
  return (await listNetns()).filter((ns) => ns.startsWith(prefix)).sort();
}

export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const plan = planSandbox(options);
  const root = plan.uplink ? new NetnsHost(undefined) : undefined;
  if (root && plan.uplink) await checkRootForUplink(root, plan.uplink.rootDevice, plan);

  const fabricNetns = plan.fabricNetns;
  await Promise.all([fabricNetns, ...plan.hosts.map((h) => h.netns), ...(plan.external ? [plan.external.netns] : [])].map(ensureNetns));
  const fabric = new NetnsHost(fabricNetns);
  await fabric.sysctl('net.ipv4.ip_forward', 1);
  await ensureBridge(fabric, UNDERLAY_BRIDGE, plan.underlayBridgeMac);
  await ensureBridge(fabric, PUBLIC_BRIDGE, plan.publicBridgeMac);
  await ensureAddresses(fabric, UNDERLAY_BRIDGE, []);

  await Promise.all(plan.hosts.map((h) => ensureHost(fabric, h)));

  if (plan.external) {
    const ext = plan.external;
    const client = new NetnsHost(ext.netns);
    await removeUplink(plan.name);
    await ensureAddresses(fabric, PUBLIC_BRIDGE, [plan.publicGatewayAddress]);
    await ensureVethPair(fabric, EXT_FABRIC_DEVICE, client, ext.netns, EXT_CLIENT_DEVICE, { mac: ext.fabricMac, peerMac: ext.clientMac });
    await ensureUp(fabric, EXT_FABRIC_DEVICE);
    await ensureUp(client, EXT_CLIENT_DEVICE);
    await ensureAddresses(fabric, EXT_FABRIC_DEVICE, [ext.fabricCidrAddress]);
    await ensureAddresses(client, EXT_CLIENT_DEVICE, [ext.clientCidrAddress]);
    const routes = await client.routes(4);
    if (!routes.some((r) => r.dst === 'default' && r.via === ext.fabricAddress && r.dev === EXT_CLIENT_DEVICE)) {
      await client.replaceRoute({ dst: 'default', via: ext.fabricAddress, dev: EXT_CLIENT_DEVICE, family: 4 });
    }
  } else if (root && plan.uplink) {
    // The root namespace is the gateway and the client: no external namespace, no address on br-public.
    const extNetns = `${plan.prefix}ext`;
    if ((await listNetns()).includes(extNetns)) {
      await killNamespaceProcesses([extNetns]);
      await deleteNetns(extNetns);
    }
    await fabric.deleteLink(EXT_FABRIC_DEVICE);
    await ensureAddresses(fabric, PUBLIC_BRIDGE, []);
    await ensureVethPair(root, plan.uplink.rootDevice, fabric, fabricNetns, UPLINK_FABRIC_DEVICE, { mac: plan.uplink.rootMac });
    await ensureUp(fabric, UPLINK_FABRIC_DEVICE, PUBLIC_BRIDGE);
    await ensureAddresses(root, plan.uplink.rootDevice, [plan.publicGatewayAddress]);
    await ensureUp(root, plan.uplink.rootDevice);
  }
  return describeSandbox(plan);
}

/** Ends every process in the sandbox's namespaces, deletes them, then the root uplink veth. Idempotent. */
export async function destroySandbox(sandbox: string): Promise<void> {
  assertSandboxName(sandbox);
  const namespaces = await sandboxNamespaces(sandbox);
  await killNamespaceProcesses(namespaces);
  for (const ns of namespaces) await deleteNetns(ns);
  await removeUplink(sandbox);
}

function describeSandbox(plan: SandboxPlan): Sandbox {
  const sandbox: Sandbox = {
    name: plan.name,
    hosts: plan.hosts.map((h) => ({
      name: h.name,
      netns: h.netns,
      tunnelIp: h.tunnelIp,
      tunnelDevice: 'ul0',
      publicDevice: 'pub0',
      bridgeMappings: { public: 'pub0' },
      namespacePrefix: `${h.netns}-`,
    })),
    fabricNetns: plan.fabricNetns,
    publicCidr: plan.publicCidr,
    publicGateway: plan.publicGateway,
    destroy: () => destroySandbox(plan.name),
  };
  if (plan.external) sandbox.externalClient = { netns: plan.external.netns, address: plan.external.clientAddress };
  if (plan.uplink) sandbox.uplinkDevice = plan.uplink.rootDevice;
  return sandbox;
}

async function ensureHost(fabric: NetnsHost, h: PlannedHost): Promise<void> {
  const host = new NetnsHost(h.netns);
  await ensureVethPair(fabric, h.fabricUnderlayPort, host, h.netns, HOST_TUNNEL_DEVICE, { peerMac: h.tunnelMac });
  await ensureVethPair(fabric, h.fabricPublicPort, host, h.netns, HOST_PUBLIC_DEVICE, { peerMac: h.publicMac });
  await ensureUp(fabric, h.fabricUnderlayPort, UNDERLAY_BRIDGE);
  await ensureUp(fabric, h.fabricPublicPort, PUBLIC_BRIDGE);
  await ensureAddresses(host, HOST_TUNNEL_DEVICE, [h.tunnelAddress]);
  await ensureUp(host, HOST_TUNNEL_DEVICE);
  await ensureUp(host, HOST_PUBLIC_DEVICE);
}

/** MACs are set on creation only: changing a live device's MAC would strand its neighbours' ARP entries. */
async function ensureBridge(ns: NetnsHost, bridge: string, mac: string): Promise<void> {
  const existing = await ns.link(bridge);
  if (existing && existing.kind !== 'bridge') await ns.deleteLink(bridge); // our own namespace: fix it
  if (!existing || existing.kind !== 'bridge') {
    await ns.addBridge(bridge);
    await ns.setLink(bridge, { mac }); // a bridge with a set MAC keeps it whatever ports join
  }
  await ensureUp(ns, bridge);
}

/**
 * Both ends present (veths) means the pair is right: veth pairs are created and destroyed as a
 * whole, and a namespace's deletion takes its ends with it. A lone end is removed and the pair
 * recreated; `a` is where it is created from, `b` (in namespace `bNetns`) receives the peer.
 */
async function ensureVethPair(a: NetnsHost, aName: string, b: NetnsHost, bNetns: string, bName: string,
  macs: { mac?: string; peerMac?: string } = {}): Promise<void> {
  const [la, lb] = await Promise.all([a.link(aName), b.link(bName)]);
  if (la?.kind === 'veth' && lb?.kind === 'veth') return;
  if (la) await a.deleteLink(aName);
  if (lb) await b.deleteLink(bName);
  await a.addVeth(aName, bName, { peerNetns: bNetns, ...macs });
}

async function ensureUp(ns: NetnsHost, dev: string, master?: string): Promise<void> {
  const l = await ns.link(dev);
  if (!l) throw new Error(`sandbox: ${dev} is missing in ${ns.netns ?? 'the root namespace'}`);
  const changes: { up?: boolean; master?: string } = {};
  if (master !== undefined && l.master !== master) changes.master = master;
  if (!l.up) changes.up = true;
  if (changes.master !== undefined || changes.up !== undefined) await ns.setLink(dev, changes);
}

/** Exactly these global IPv4 addresses on `dev` (IPv6 link-local and the like left alone). */
async function ensureAddresses(ns: NetnsHost, dev: string, wanted: readonly string[]): Promise<void> {
  const have = (await ns.addresses(dev)).filter((a) => a.family === 4 && a.dev === dev).map((a) => a.cidr);
  for (const cidr of wanted) if (!have.includes(cidr)) await ns.addAddress(dev, cidr);
  for (const cidr of have) if (!wanted.includes(cidr)) await ns.deleteAddress(dev, cidr);
}

/** Removes the sandbox's uplink veth from the root namespace, if there is one. */
async function removeUplink(sandbox: string): Promise<void> {
  const root = new NetnsHost(undefined);
  const device = uplinkDeviceName(sandbox);
  const existing = await root.link(device);
  if (existing?.kind === 'veth') await root.deleteLink(device);
}

/**
 * Before giving the root namespace anything: the uplink name must be free or be our veth, and no
 * other root device may already hold an address in the public range (two gateways would fight).
 */
async function checkRootForUplink(root: NetnsHost, device: string, plan: SandboxPlan): Promise<void> {
  const existing = await root.link(device);
  if (existing && existing.kind !== 'veth') {
    throw new SandboxConfigError(`the root namespace already has a ${existing.kind ?? 'plain'} link named ${device}; refusing to replace it`);
  }
  const clash = (await root.addresses()).find((a) => a.family === 4 && a.dev !== device && addressOverlaps(a.cidr, plan.publicCidr));
  if (clash) {
    throw new SandboxConfigError(`the root namespace already has ${clash.cidr} on ${clash.dev}, inside publicCidr ${plan.publicCidr}; choose another publicCidr`);
  }
}

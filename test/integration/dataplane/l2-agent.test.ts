// The Linux-bridge agent on two simulated hosts joined by an underlay: VXLAN with l2population,
// the nftables security groups (default group, anti-spoofing), idempotent reconciles, cleanup.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NetnsHost, deleteNetns, ensureNetns, probeKernel, type KernelCapabilities } from '../../../src/hostnet/index.js';
import { LinuxBridgeAgent, type L2Client } from '../../../src/network/agents/l2/linuxbridge-agent.js';
import type { L2Host } from '../../../src/network/agents/l2/wiring.js';
import type { BoundPort, L2State, NetworkInfo, SecurityGroupInfo } from '../../../src/network/agents/common/state.js';

const skip = process.getuid?.() === 0 ? false : 'needs root';
const prefix = `nimbus-t${process.pid}`;
const NS = { ul: `${prefix}-ul`, h1: `${prefix}-h1`, h2: `${prefix}-h2`, i1: `${prefix}-i1`, i2: `${prefix}-i2` };
const NET = '5a5a5a5a-1111-4111-8111-000000000001';
const NET_GONE = '6b6b6b6b-2222-4222-8222-000000000002';
const SG = 'c0c0c0c0-0000-4000-8000-000000000001';
const P1 = '1a1a1a1a-0000-4000-8000-000000000001';
const P2 = '2b2b2b2b-0000-4000-8000-000000000002';
const MAC1 = 'fa:16:3e:00:00:01';
const MAC2 = 'fa:16:3e:00:00:02';
const IP1 = '10.0.0.11';
const IP2 = '10.0.0.12';
const TUN1 = '10.254.9.1';
const TUN2 = '10.254.9.2';
const VNI = 1001;
const MTU = 1450;
const MUTATING = new Set(['addBridge', 'addVxlan', 'setLink', 'deleteLink', 'fdbAppend', 'fdbReplace', 'fdbDelete', 'neighReplace', 'neighDelete', 'sysctl', 'nftApply']);

const network: NetworkInfo = { id: NET, project_id: 'p', mtu: MTU, network_type: 'vxlan', physical_network: null, segmentation_id: VNI, admin_state_up: true };
const group: SecurityGroupInfo = {
  id: SG, stateful: true, rules: [
    { id: 'r1', direction: 'egress', ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null },
    { id: 'r2', direction: 'egress', ethertype: 'IPv6', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null },
    { id: 'r3', direction: 'ingress', ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: SG, remote_address_group_id: null },
    { id: 'r4', direction: 'ingress', ethertype: 'IPv6', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: SG, remote_address_group_id: null },
  ],
};

function boundPort(id: string, mac: string, ip: string): BoundPort {
  return {
    id, network_id: NET, mac_address: mac, admin_state_up: true, status: 'DOWN', device_owner: 'compute:nova', device_id: `vm-${id}`,
    fixed_ips: [{ subnet_id: 's', ip_address: ip }], port_security_enabled: true, security_group_ids: [SG], allowed_address_pairs: [],
  };
}

/** A stub plugin client: hands out a mutable state, records status updates and applies them. */
class StubClient implements L2Client {
  state: L2State;
  readonly updates: { ids: string[]; status: string }[] = [];
  constructor(state: L2State) { this.state = state; }
  async l2State(): Promise<L2State> { return this.state; }
  async updatePortStatus(portIds: readonly string[], status: 'ACTIVE' | 'DOWN'): Promise<void> {
    if (portIds.length === 0) return;
    this.updates.push({ ids: [...portIds], status });
    this.state = { ...this.state, ports: this.state.ports.map((p) => (portIds.includes(p.id) ? { ...p, status } : p)) };
  }
}

/** Wraps a NetnsHost and counts calls of mutating operations. */
function counting(host: NetnsHost): { host: L2Host; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(host, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (typeof prop === 'string' && MUTATING.has(prop)) calls.push(`${prop} ${JSON.stringify(args).slice(0, 120)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { host: proxy, calls };
}

describe('Linux-bridge agent on two hosts over VXLAN', { skip }, () => {
  let caps: KernelCapabilities;
  const hosts = { h1: new NetnsHost(NS.h1), h2: new NetnsHost(NS.h2) };
  const inst = { i1: new NetnsHost(NS.i1), i2: new NetnsHost(NS.i2) };
  const wrapped = { h1: counting(hosts.h1), h2: counting(hosts.h2) };
  let c1: StubClient;
  let c2: StubClient;
  let a1: LinuxBridgeAgent;
  let a2: LinuxBridgeAgent;

  const stateFor = (host: string, me: BoundPort, other: BoundPort, otherHost: string, otherTunnel: string, members: string[]): L2State => ({
    host, networks: [network], ports: [me],
    security_groups: { [SG]: group }, security_group_members: { [SG]: members }, address_groups: {},
    fdb: { [NET]: [{ host: otherHost, tunnel_ip: otherTunnel, ports: [{ mac_address: other.mac_address, ip_addresses: other.fixed_ips.map((f) => f.ip_address) }] }] },
  });
  const ping = async (from: NetnsHost, to: string, source?: string): Promise<boolean> => {
    for (let i = 0; i < 3; i++) {
      try {
        await from.exec('ping', ['-c', '1', '-W', '1', ...(source ? ['-I', source] : []), to]);
        return true;
      } catch { /* retry */ }
    }
    return false;
  };

  before(async () => {
    caps = await probeKernel();
    for (const ns of Object.values(NS)) await ensureNetns(ns);
    // Underlay: a bridge in its own namespace, one veth per host carrying the tunnel IP.
    const ul = new NetnsHost(NS.ul);
    await ul.addBridge('ul0');
    await ul.setLink('ul0', { up: true });
    for (const [name, host, ip] of [['h1', hosts.h1, TUN1], ['h2', hosts.h2, TUN2]] as const) {
      await ul.addVeth(`ul-${name}`, 'eth-ul', { peerNetns: host.netns });
      await ul.setLink(`ul-${name}`, { master: 'ul0', up: true });
      await host.addAddress('eth-ul', `${ip}/24`);
      await host.setLink('eth-ul', { up: true });
    }
    // Instances: eth0 inside, tap<port[:11]> on the host.
    for (const [i, host, port, mac, ip] of [[inst.i1, hosts.h1, P1, MAC1, IP1], [inst.i2, hosts.h2, P2, MAC2, IP2]] as const) {
      await i.addVeth('eth0', `tap${port.slice(0, 11)}`, { peerNetns: host.netns, mac, mtu: MTU });
      await i.addAddress('eth0', `${ip}/24`);
      await i.setLink('eth0', { up: true });
    }
    const p1 = boundPort(P1, MAC1, IP1);
    const p2 = boundPort(P2, MAC2, IP2);
    c1 = new StubClient(stateFor('h1', p1, p2, 'h2', TUN2, [IP1, IP2]));
    c2 = new StubClient(stateFor('h2', p2, p1, 'h1', TUN1, [IP1, IP2]));
    const settings = (host: string, netns: string) => ({ host, netns, namespacePrefix: `${netns}-`, stateDir: `/tmp/${netns}` });
    a1 = new LinuxBridgeAgent(settings('h1', NS.h1), c1, { tunnelIp: TUN1, tunnelDevice: 'eth-ul', bridgeMappings: {}, capabilities: caps, host: wrapped.h1.host });
    a2 = new LinuxBridgeAgent(settings('h2', NS.h2), c2, { tunnelIp: TUN2, tunnelDevice: 'eth-ul', bridgeMappings: {}, capabilities: caps, host: wrapped.h2.host });
  });

  after(async () => {
    for (const ns of Object.values(NS)) await deleteNetns(ns);
  });

  it('wires bridge, vxlan and taps, programs l2pop and reports the ports ACTIVE', async () => {
    // A leftover of a network that left the host: removed; foreign links are left alone.
    await hosts.h1.addBridge(`brq${NET_GONE.slice(0, 11)}`);
    await hosts.h1.addBridge('br-other');
    await a1.reconcile();
    await a2.reconcile();
    const brq = `brq${NET.slice(0, 11)}`;
    const tap1 = `tap${P1.slice(0, 11)}`;
    const links = new Map((await hosts.h1.links()).map((l) => [l.name, l]));
    assert.equal(links.get(brq)?.kind, 'bridge');
    assert.equal(links.get(brq)?.up, true);
    assert.equal(links.get(brq)?.mtu, MTU);
    const vx = links.get(`vxlan-${VNI}`);
    assert.equal(vx?.master, brq);
    assert.deepEqual({ ...vx?.vxlan }, { id: VNI, local: TUN1, dstport: 4789, dev: 'eth-ul', learning: false, proxy: false });
    assert.equal(links.get(tap1)?.master, brq);
    assert.equal(links.get(tap1)?.up, true);
    assert.equal(links.get(tap1)?.mtu, MTU);
    assert.equal(links.has(`brq${NET_GONE.slice(0, 11)}`), false);
    assert.equal(links.has('br-other'), true);
    const fdb = (await hosts.h1.fdb(`vxlan-${VNI}`)).filter((e) => e.dst !== undefined).map((e) => `${e.mac} ${e.dst}`).sort();
    assert.deepEqual(fdb, [`00:00:00:00:00:00 ${TUN2}`, `${MAC2} ${TUN2}`]);
    const neigh = await hosts.h1.neighbours(`vxlan-${VNI}`);
    assert.deepEqual(neigh.map((n) => [n.ip, n.mac, n.states.includes('PERMANENT')]), [[IP2, MAC2, true]]);
    assert.deepEqual(c1.updates, [{ ids: [P1], status: 'ACTIVE' }]);
    assert.deepEqual(c2.updates, [{ ids: [P2], status: 'ACTIVE' }]);
    const conf = a1.configurations();
    assert.equal(conf.devices, 1);
    assert.equal(conf.tunneling_ip, TUN1);
    assert.deepEqual(conf.tunnel_types, ['vxlan']);
    assert.equal(conf.l2_population, true);
  });

  it('instances ping each other across VXLAN under the default group', async () => {
    assert.equal(await ping(inst.i1, IP2), true, 'i1 → i2');
    assert.equal(await ping(inst.i2, IP1), true, 'i2 → i1');
  });

  it('drops a forged source address at the tap', async () => {
    await inst.i1.exec('ip', ['addr', 'add', '10.0.0.99/24', 'dev', 'eth0']);
    try {
      assert.equal(await ping(inst.i1, IP2, '10.0.0.99'), false);
    } finally {
      await inst.i1.exec('ip', ['addr', 'del', '10.0.0.99/24', 'dev', 'eth0']);
    }
    // Dropped by the netdev chain on i1's tap (h2's ingress would drop it too: .99 is no member).
    const ruleset = (await hosts.h1.exec('nft', ['list', 'table', 'netdev', 'nimbus-spoof'])).stdout;
    assert.match(ruleset, new RegExp(`device "tap${P1.slice(0, 11)}"`));
  });

  it('a second reconcile with the same state changes nothing', async () => {
    const before = { h1: wrapped.h1.calls.length, h2: wrapped.h2.calls.length };
    const updates = c1.updates.length + c2.updates.length;
    await a1.reconcile();
    await a2.reconcile();
    assert.deepEqual(wrapped.h1.calls.slice(before.h1), []);
    assert.deepEqual(wrapped.h2.calls.slice(before.h2), []);
    assert.equal(c1.updates.length + c2.updates.length, updates);
  });

  it('follows a change of remote-group members (ingress) and restores', async () => {
    c2.state = { ...c2.state, security_group_members: { [SG]: [IP2] } };
    await a2.reconcile();
    assert.equal(await ping(inst.i1, IP2), false, 'i1 is no longer a member: dropped at i2\'s ingress');
    c2.state = { ...c2.state, security_group_members: { [SG]: [IP1, IP2] } };
    await a2.reconcile();
    assert.equal(await ping(inst.i1, IP2), true);
  });

  it('egress rules apply by mark and the firewall is stateful', async () => {
    const ingressOnly: SecurityGroupInfo = { ...group, rules: group.rules.filter((rule) => rule.direction === 'ingress') };
    c1.state = { ...c1.state, security_groups: { [SG]: ingressOnly } };
    await a1.reconcile();
    try {
      assert.equal(await ping(inst.i1, IP2), false, 'i1 may not start anything');
      assert.equal(await ping(inst.i2, IP1), true, 'replies to allowed ingress are established traffic');
    } finally {
      c1.state = { ...c1.state, security_groups: { [SG]: group } };
      await a1.reconcile();
    }
    assert.equal(await ping(inst.i1, IP2), true);
  });

  it('a port going admin down: tap down, status DOWN; the network leaving: devices removed', async () => {
    c1.state = { ...c1.state, ports: c1.state.ports.map((p) => ({ ...p, admin_state_up: false })) };
    await a1.reconcile();
    assert.equal((await hosts.h1.link(`tap${P1.slice(0, 11)}`))?.up, false);
    assert.deepEqual(c1.updates.at(-1), { ids: [P1], status: 'DOWN' });
    c1.state = { ...c1.state, networks: [], ports: [], fdb: {}, security_groups: {}, security_group_members: {} };
    await a1.reconcile();
    const names = (await hosts.h1.links()).map((l) => l.name);
    assert.ok(!names.includes(`brq${NET.slice(0, 11)}`) && !names.includes(`vxlan-${VNI}`), names.join(' '));
    assert.ok(names.includes(`tap${P1.slice(0, 11)}`) && names.includes('eth-ul') && names.includes('br-other'));
  });
});

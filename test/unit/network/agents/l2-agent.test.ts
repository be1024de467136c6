// The Linux-bridge agent against an in-memory host namespace: wiring decisions, statuses,
// cleanup by name pattern, unsupported network types, idempotency (no mutating call twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FdbEntry, KernelCapabilities, LinkInfo, NeighEntry } from '../../../../src/hostnet/index.js';
import { LinuxBridgeAgent, parseZones, type L2Client } from '../../../../src/network/agents/l2/linuxbridge-agent.js';
import { planNetwork, unsupportedNetworkTypes, vlanDeviceName, type L2Host } from '../../../../src/network/agents/l2/wiring.js';
import { desiredTapState } from '../../../../src/network/agents/l2/ports.js';
import type { BoundPort, L2State, NetworkInfo } from '../../../../src/network/agents/common/state.js';

const CAPS: KernelCapabilities = { vxlan: true, vlan: false, gre: false, geneve: false, bridgeNetfilter: true };
const VX = '0a0a0a0a-0000-4000-8000-00000000000a';
const FLAT = '0b0b0b0b-0000-4000-8000-00000000000b';
const VLAN = '0c0c0c0c-0000-4000-8000-00000000000c';
const LOCAL = '0d0d0d0d-0000-4000-8000-00000000000d';

const net = (id: string, type: string, extra: Partial<NetworkInfo> = {}): NetworkInfo => ({
  id, project_id: 'p', mtu: type === 'vxlan' ? 1450 : 1500, network_type: type, physical_network: type === 'flat' || type === 'vlan' ? 'public' : null,
  segmentation_id: type === 'vxlan' ? 77 : type === 'vlan' ? 100 : null, admin_state_up: true, ...extra,
});
const port = (id: string, networkId: string, extra: Partial<BoundPort> = {}): BoundPort => ({
  id, network_id: networkId, mac_address: `fa:16:3e:00:00:${id.slice(0, 2)}`, admin_state_up: true, status: 'DOWN',
  device_owner: 'compute:nova', device_id: 'vm', fixed_ips: [{ subnet_id: 's', ip_address: `10.0.0.${parseInt(id.slice(0, 2), 16)}` }],
  port_security_enabled: true, security_group_ids: [], allowed_address_pairs: [], ...extra,
});

/** An in-memory namespace that records every mutating call. */
class FakeHost implements L2Host {
  readonly netns = 'nimbus-fake';
  readonly calls: string[] = [];
  readonly linkMap = new Map<string, LinkInfo>();
  readonly fdbs = new Map<string, FdbEntry[]>();
  readonly neigh = new Map<string, NeighEntry[]>();
  ruleset = '';
  #index = 10;
  add(l: Omit<LinkInfo, 'index' | 'mac'> & { mac?: string }): void {
    this.linkMap.set(l.name, { mac: '02:00:00:00:00:01', index: this.#index++, ...l });
  }
  async links(): Promise<LinkInfo[]> { return [...this.linkMap.values()].map((l) => ({ ...l })); }
  async link(name: string): Promise<LinkInfo | undefined> { const l = this.linkMap.get(name); return l ? { ...l } : undefined; }
  async addBridge(name: string, o: { mtu?: number } = {}): Promise<void> {
    this.calls.push(`addBridge ${name}`);
    this.add({ name, mtu: o.mtu ?? 1500, up: false, kind: 'bridge' });
  }
  async addVxlan(name: string, o: { vni: number; local: string; dev?: string; dstport?: number; learning?: boolean; proxy?: boolean; mtu?: number }): Promise<void> {
    this.calls.push(`addVxlan ${name}`);
    this.add({ name, mtu: o.mtu ?? 1500, up: false, kind: 'vxlan', vxlan: { id: o.vni, local: o.local, dstport: o.dstport ?? 4789, learning: o.learning !== false, proxy: o.proxy === true, ...(o.dev ? { dev: o.dev } : {}) } });
  }
  async addVlan(name: string, o: { parent: string; vid: number; mtu?: number }): Promise<void> {
    this.calls.push(`addVlan ${name} ${o.parent} ${o.vid}`);
    this.add({ name, mtu: o.mtu ?? 1500, up: false, kind: 'vlan' });
  }
  async setLink(name: string, c: { up?: boolean; master?: string | null; mtu?: number }): Promise<void> {
    this.calls.push(`setLink ${name} ${JSON.stringify(c)}`);
    const l = this.linkMap.get(name);
    if (!l) throw new Error(`Cannot find device ${name}`);
    if (c.up !== undefined) l.up = c.up;
    if (c.mtu !== undefined) l.mtu = c.mtu;
    if (c.master === null) delete l.master; else if (c.master !== undefined) l.master = c.master;
  }
  async deleteLink(name: string): Promise<void> {
    this.calls.push(`deleteLink ${name}`);
    this.linkMap.delete(name);
    for (const l of this.linkMap.values()) if (l.master === name) delete l.master;
  }
  async fdb(dev: string): Promise<FdbEntry[]> { return [...(this.fdbs.get(dev) ?? [])]; }
  async fdbAppend(dev: string, mac: string, dst: string): Promise<void> {
    this.calls.push(`fdbAppend ${dev} ${mac} ${dst}`);
    this.fdbs.set(dev, [...(this.fdbs.get(dev) ?? []), { mac, dst, dev, permanent: true }]);
  }
  async fdbReplace(dev: string, mac: string, dst: string): Promise<void> {
    this.calls.push(`fdbReplace ${dev} ${mac} ${dst}`);
    this.fdbs.set(dev, [...(this.fdbs.get(dev) ?? []).filter((e) => e.mac !== mac), { mac, dst, dev, permanent: true }]);
  }
  async fdbDelete(dev: string, mac: string, dst?: string): Promise<void> {
    this.calls.push(`fdbDelete ${dev} ${mac} ${dst ?? ''}`);
    this.fdbs.set(dev, (this.fdbs.get(dev) ?? []).filter((e) => !(e.mac === mac && (dst === undefined || e.dst === dst))));
  }
  async neighbours(dev: string): Promise<NeighEntry[]> { return [...(this.neigh.get(dev) ?? [])]; }
  async neighReplace(dev: string, ip: string, mac: string): Promise<void> {
    this.calls.push(`neighReplace ${dev} ${ip} ${mac}`);
    this.neigh.set(dev, [...(this.neigh.get(dev) ?? []).filter((n) => n.ip !== ip), { ip, mac, dev, states: ['PERMANENT'] }]);
  }
  async neighDelete(dev: string, ip: string): Promise<void> {
    this.calls.push(`neighDelete ${dev} ${ip}`);
    this.neigh.set(dev, (this.neigh.get(dev) ?? []).filter((n) => n.ip !== ip));
  }
  async sysctl(key: string, value: string | number): Promise<void> { this.calls.push(`sysctl ${key}=${value}`); }
  async nftApply(ruleset: string): Promise<void> { this.calls.push('nftApply'); this.ruleset = ruleset; }
  async nftTables(): Promise<{ family: string; name: string }[]> {
    return this.ruleset ? [{ family: 'inet', name: 'nimbus-sg' }, { family: 'netdev', name: 'nimbus-spoof' }] : [];
  }
  async nftDeleteTable(family: string, name: string): Promise<void> { this.calls.push(`nftDeleteTable ${family} ${name}`); this.ruleset = ''; }
  async exec(cmd: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    if (cmd === 'nft' && args[0] === 'list') {
      if (!this.ruleset) throw new Error('No such file or directory');
      return { stdout: this.ruleset, stderr: '' };
    }
    throw new Error(`unexpected exec ${cmd}`);
  }
}

class StubClient implements L2Client {
  readonly updates: string[] = [];
  constructor(public state: L2State) {}
  async l2State(): Promise<L2State> { return this.state; }
  async updatePortStatus(ids: readonly string[], status: 'ACTIVE' | 'DOWN'): Promise<void> {
    if (!ids.length) return;
    this.updates.push(`${status} ${[...ids].sort().join(',')}`);
    this.state = { ...this.state, ports: this.state.ports.map((p) => (ids.includes(p.id) ? { ...p, status } : p)) };
  }
}

const settings = { host: 'c1', netns: 'nimbus-fake', namespacePrefix: 'nimbus-fake-', stateDir: '/tmp/x' };
const tap = (id: string) => `tap${id.slice(0, 11)}`;
const brq = (id: string) => `brq${id.slice(0, 11)}`;

function setup(state: L2State, options: { tunnelIp?: string } = { tunnelIp: '192.0.2.1' }, capabilities: KernelCapabilities = CAPS) {
  const host = new FakeHost();
  host.add({ name: 'lo', mtu: 65536, up: true });
  host.add({ name: 'eth-ul', mtu: 1500, up: true, kind: 'veth' });
  host.add({ name: 'eth-pub', mtu: 1500, up: false, kind: 'veth' });
  const client = new StubClient(state);
  const warnings: string[] = [];
  const logger = { info() { /* */ }, warn(_o: object, msg: string) { warnings.push(msg); } };
  const agent = new LinuxBridgeAgent(settings, client, {
    ...options, tunnelDevice: 'eth-ul', bridgeMappings: { public: 'eth-pub' }, capabilities, host, logger,
  });
  return { host, client, agent, warnings };
}

const P1 = 'a1000000-0000-4000-8000-000000000001';
const P2 = 'a2000000-0000-4000-8000-000000000002';
const P3 = 'a3000000-0000-4000-8000-000000000003';
const P4 = 'a4000000-0000-4000-8000-000000000004';

function baseState(): L2State {
  return {
    host: 'c1', networks: [net(VX, 'vxlan'), net(FLAT, 'flat'), net(VLAN, 'vlan'), net(LOCAL, 'local')],
    ports: [port(P1, VX), port(P2, FLAT, { device_owner: 'network:router_gateway', port_security_enabled: false }), port(P3, VLAN), port(P4, LOCAL, { admin_state_up: false })],
    security_groups: {}, security_group_members: {}, address_groups: {},
    fdb: { [VX]: [{ host: 'c2', tunnel_ip: '192.0.2.2', ports: [{ mac_address: 'fa:16:3e:00:00:99', ip_addresses: ['10.0.0.99'] }] }] },
  };
}

test('planNetwork: vxlan, flat, local wired; vlan/gre unsupported here, vxlan without tunnel IP too', () => {
  const o = { tunnelIp: '192.0.2.1', bridgeMappings: { public: 'eth-pub' }, capabilities: CAPS };
  assert.deepEqual(planNetwork(net(VX, 'vxlan'), o), { ok: true, bridge: brq(VX), mtu: 1450, vxlan: { name: 'vxlan-77', vni: 77 } });
  assert.deepEqual(planNetwork(net(FLAT, 'flat'), o), { ok: true, bridge: brq(FLAT), mtu: 1500, uplink: 'eth-pub' });
  assert.deepEqual(planNetwork(net(LOCAL, 'local'), o), { ok: true, bridge: brq(LOCAL), mtu: 1500 });
  assert.equal(planNetwork(net(VLAN, 'vlan'), o).ok, false);
  assert.equal(planNetwork(net(VLAN, 'gre'), o).ok, false);
  assert.equal(planNetwork(net(FLAT, 'flat', { physical_network: 'other' }), o).ok, false);
  assert.equal(planNetwork(net(VX, 'vxlan'), { ...o, tunnelIp: undefined }).ok, false);
  assert.deepEqual(unsupportedNetworkTypes(o), ['vlan', 'gre', 'geneve']);
  assert.deepEqual(unsupportedNetworkTypes({ ...o, tunnelIp: undefined }), ['vxlan', 'vlan', 'gre', 'geneve']);
  assert.deepEqual(desiredTapState(port(P1, VX, { admin_state_up: false }), { network: net(VX, 'vxlan'), bridge: 'b', mtu: 1450 }), { master: 'b', mtu: 1450, up: false });
});

test('first reconcile wires everything it can and reports statuses; vlan is skipped, not fatal', async () => {
  const { host, client, agent, warnings } = setup(baseState());
  for (const p of [P1, P2, P3, P4]) host.add({ name: tap(p), mtu: 1500, up: false, kind: 'veth' });
  host.add({ name: 'brq0e0e0e0e-00', mtu: 1500, up: true, kind: 'bridge' }); // left over from a network gone
  host.add({ name: 'vxlan-5', mtu: 1450, up: true, kind: 'vxlan' });
  host.add({ name: 'br-ex', mtu: 1500, up: true, kind: 'bridge' });   // not ours
  host.add({ name: 'brqx', mtu: 1500, up: true, kind: 'veth' });      // our pattern, but not a bridge
  await agent.reconcile();
  const l = (n: string) => host.linkMap.get(n);
  assert.deepEqual([l(brq(VX))?.up, l(brq(VX))?.mtu], [true, 1450]);
  assert.deepEqual({ ...l('vxlan-77')?.vxlan }, { id: 77, local: '192.0.2.1', dstport: 4789, learning: false, proxy: false, dev: 'eth-ul' });
  assert.equal(l('vxlan-77')?.master, brq(VX));
  assert.deepEqual([l('eth-pub')?.master, l('eth-pub')?.up, l('eth-pub')?.mtu], [brq(FLAT), true, 1500]);
  assert.deepEqual([l(tap(P1))?.master, l(tap(P1))?.up, l(tap(P1))?.mtu], [brq(VX), true, 1450]);
  assert.deepEqual([l(tap(P2))?.master, l(tap(P2))?.up], [brq(FLAT), true]);
  assert.deepEqual([l(tap(P3))?.master, l(tap(P3))?.up], [undefined, false], 'vlan network not wired');
  assert.deepEqual([l(tap(P4))?.master, l(tap(P4))?.up], [brq(LOCAL), false], 'admin down: plugged but down');
  assert.equal(l(brq(VLAN)), undefined);
  assert.equal(l('brq0e0e0e0e-00'), undefined);
  assert.equal(l('vxlan-5'), undefined);
  assert.ok(l('br-ex') && l('brqx'), 'foreign links stay');
  assert.deepEqual(client.updates, [`ACTIVE ${P1},${P2}`]);
  assert.deepEqual(host.fdbs.get('vxlan-77')?.map((e) => `${e.mac} ${e.dst}`), ['00:00:00:00:00:00 192.0.2.2', 'fa:16:3e:00:00:99 192.0.2.2']);
  assert.deepEqual(host.neigh.get('vxlan-77')?.map((n) => `${n.ip} ${n.mac}`), ['10.0.0.99 fa:16:3e:00:00:99']);
  assert.ok(host.calls.includes('sysctl net.bridge.bridge-nf-call-iptables=1') && host.calls.includes('sysctl net.bridge.bridge-nf-call-ip6tables=1'));
  assert.equal(host.calls.filter((c) => c === 'nftApply').length, 1);
  // The SG ruleset went in before the first tap joined a bridge.
  assert.ok(host.calls.indexOf('nftApply') < host.calls.findIndex((c) => c.startsWith(`setLink ${tap(P1)}`)));
  assert.match(host.ruleset, new RegExp(`spoof-${P1.slice(0, 11)}`));
  assert.doesNotMatch(host.ruleset, new RegExp(`spoof-${P2.slice(0, 11)}`), 'port security disabled');
  assert.deepEqual(warnings.filter((w) => w.includes('cannot be wired')).length, 1);
  const conf = agent.configurations();
  assert.deepEqual(conf, {
    bridge_mappings: { public: 'eth-pub' }, interface_mappings: {}, tunneling_ip: '192.0.2.1', tunnel_types: ['vxlan'],
    l2_population: true, devices: 3, unsupported_network_types: ['vlan', 'gre', 'geneve'],
  });

  // Second reconcile: no mutating call at all, no status update, and the vlan warning is not repeated.
  const calls = host.calls.length;
  await agent.reconcile();
  assert.deepEqual(host.calls.slice(calls), []);
  assert.deepEqual(client.updates, [`ACTIVE ${P1},${P2}`]);
  assert.equal(warnings.filter((w) => w.includes('cannot be wired')).length, 1);
});

test('tap gone → DOWN; remote port gone → its FDB/neighbour entries removed; network gone → devices removed', async () => {
  const { host, client, agent } = setup(baseState());
  for (const p of [P1, P2]) host.add({ name: tap(p), mtu: 1500, up: false, kind: 'veth' });
  await agent.reconcile();
  host.linkMap.delete(tap(P1));
  client.state = { ...client.state, fdb: { [VX]: [{ host: 'c2', tunnel_ip: '192.0.2.2', ports: [] }] } };
  await agent.reconcile();
  assert.deepEqual(client.updates, [`ACTIVE ${P1},${P2}`, `DOWN ${P1}`]);
  assert.deepEqual(host.fdbs.get('vxlan-77')?.map((e) => `${e.mac} ${e.dst}`), ['00:00:00:00:00:00 192.0.2.2']);
  assert.deepEqual(host.neigh.get('vxlan-77'), []);
  assert.equal(host.calls.filter((c) => c === 'nftApply').length, 2, 'the vanished tap lost its chains');
  client.state = { ...client.state, networks: client.state.networks.filter((n) => n.id !== VX), ports: client.state.ports.filter((p) => p.network_id !== VX), fdb: {} };
  await agent.reconcile();
  assert.equal(host.linkMap.get(brq(VX)), undefined);
  assert.equal(host.linkMap.get('vxlan-77'), undefined);
  assert.ok(host.linkMap.get(brq(FLAT)));
});

test('a vxlan device with wrong settings is recreated; a flushed ruleset is re-applied', async () => {
  const { host, agent } = setup(baseState());
  host.add({ name: 'vxlan-77', mtu: 1450, up: true, kind: 'vxlan', vxlan: { id: 77, local: '192.0.2.1', dstport: 4789, learning: true, proxy: false } });
  await agent.reconcile();
  assert.ok(host.calls.includes('deleteLink vxlan-77') && host.calls.includes('addVxlan vxlan-77'));
  assert.equal(host.linkMap.get('vxlan-77')?.vxlan?.learning, false);
  host.ruleset = '';
  const calls = host.calls.length;
  await agent.reconcile();
  assert.deepEqual(host.calls.slice(calls), ['nftApply']);
});

test('without a tunnel IP vxlan networks are reported unsupported; zones are recovered from the kernel', async () => {
  const { host, agent } = setup(baseState(), {});
  host.ruleset = `table inet nimbus-sg {\n  chain sg-zones {\n    iifname "${brq(FLAT)}" ct zone set 9\n  }\n}`;
  await agent.reconcile();
  assert.equal(host.linkMap.get('vxlan-77'), undefined);
  const conf = agent.configurations();
  assert.deepEqual([conf.tunnel_types, conf.tunneling_ip, conf.unsupported_network_types], [[], undefined, ['vxlan', 'vlan', 'gre', 'geneve']]);
  assert.match(host.ruleset, new RegExp(`iifname "${brq(FLAT)}" ct zone set 9`));
  assert.deepEqual([...parseZones('iifname "brqa" ct zone set 3\n iifname "brqb" ct zone set 4')], [['brqa', 3], ['brqb', 4]]);
});

test('admin-down ports report DOWN unless DOWN already; taps of ports no longer bound here leave our bridges', async () => {
  const state = baseState();
  const { host, client, agent } = setup({ ...state, ports: state.ports.map((p) => (p.id === P4 ? { ...p, status: 'BUILD' } : p)) });
  for (const p of [P1, P4]) host.add({ name: tap(p), mtu: 1500, up: false, kind: 'veth' });
  host.add({ name: 'tapdeadbeef-00', mtu: 1500, up: true, kind: 'veth', master: brq(VX) });
  host.add({ name: 'tapforeign', mtu: 1500, up: true, kind: 'veth', master: 'br-ex' });
  host.add({ name: 'br-ex', mtu: 1500, up: true, kind: 'bridge' });
  await agent.reconcile();
  assert.deepEqual(client.updates, [`ACTIVE ${P1}`, `DOWN ${P4}`]);
  assert.equal(host.linkMap.get('tapdeadbeef-00')?.master, undefined);
  assert.equal(host.linkMap.get('tapforeign')?.master, 'br-ex');
  const calls = host.calls.length;
  await agent.reconcile();
  assert.deepEqual(host.calls.slice(calls), []);
  assert.deepEqual(client.updates, [`ACTIVE ${P1}`, `DOWN ${P4}`]);
});

test('with 802.1Q in the kernel a vlan network gets an <interface>.<vid> device in its bridge', async () => {
  const { host, agent } = setup(baseState(), { tunnelIp: '192.0.2.1' }, { ...CAPS, vlan: true });
  await agent.reconcile();
  assert.ok(host.calls.includes('addVlan eth-pub.100 eth-pub 100'), host.calls.join('\n'));
  const vlanDev = host.linkMap.get('eth-pub.100');
  assert.equal(vlanDev?.master, brq(VLAN));
  assert.deepEqual(agent.configurations().unsupported_network_types, ['gre', 'geneve']);
  assert.equal(vlanDeviceName('a-very-long-if0', 4094), 'a-very-lon.4094');
  // The network leaves the host: its vlan device goes with its bridge.
  const client = (agent as unknown as { client: StubClient }).client;
  client.state = { ...client.state, networks: client.state.networks.filter((n) => n.id !== VLAN), ports: client.state.ports.filter((p) => p.network_id !== VLAN) };
  await agent.reconcile();
  assert.equal(host.linkMap.get('eth-pub.100'), undefined);
});

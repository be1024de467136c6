// The agent RPC's scheduling side: get_dhcp_state (DHCP agent scheduling, DHCP ports) and
// get_l3_state (L3 agent scheduling, router port binding, floating IPs), races between agents
// and rescheduling away from dead agents.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Bus, type BusArgs, type Notification } from '../../../src/bus/index.js';
import { dhcpDeviceId } from '../../../src/network/rpc/dhcp-state.js';
import { PLUGIN_TOPIC, serveAgentRpc } from '../../../src/network/rpc/agent-rpc.js';
import type { DhcpState, L2State, L3State } from '../../../src/network/agents/common/state.js';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { putOk, showPort, reportFakeAgent } from '../../support/network-fixtures.js';

type Json = Record<string, any>;

const agent = reportFakeAgent;

async function kill(h: NetworkHarness, host: string, agentType: string): Promise<void> {
  await h.db.updateTable('net_agent').set({ heartbeat_timestamp: '2000-01-01T00:00:00Z' }).where('host', '=', host).where('agent_type', '=', agentType).execute();
}

const put = putOk;
const getPort = showPort;

async function dhcpPorts(h: NetworkHarness, networkId: string): Promise<Json[]> {
  const res = await h.request('GET', `/v2.0/ports?network_id=${networkId}&device_owner=network:dhcp`);
  return res.json().ports;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
}

function harnessWithBus(): { get: () => NetworkHarness; call: (method: string, args: BusArgs) => Promise<unknown>; events: Notification[] } {
  let h: NetworkHarness;
  let bus: Bus;
  const events: Notification[] = [];
  before(async () => {
    h = await startNetwork();
    bus = new MemoryBus({});
    await bus.subscribeNotifications('*', (n) => { events.push(n); });
    await serveAgentRpc(bus, h.deps, 'api-host');
  });
  after(async () => {
    await bus.close();
    await h.close();
  });
  return { get: () => h, call: (method, args) => bus.call({ topic: PLUGIN_TOPIC }, method, args), events };
}

describe('agent RPC: get_dhcp_state', () => {
  const ctx = harnessWithBus();
  const dhcp = (host: string) => ctx.call('get_dhcp_state', { host }) as Promise<DhcpState>;
  let h: NetworkHarness;
  let net: Json;
  let sub1: Json;
  let sub2: Json;
  let sub3: Json;
  let vm: Json;

  before(async () => {
    h = ctx.get();
    for (const host of ['net-a', 'net-b']) {
      await agent(h, 'l2', host);
      await agent(h, 'dhcp', host);
    }
    net = await h.create('network', 'networks', { name: 'dhcp' }, h.alice.token);
    sub1 = await h.create('subnet', 'subnets', { network_id: net.id, cidr: '10.2.0.0/24', ip_version: 4, dns_nameservers: ['192.0.2.53'] }, h.alice.token);
    sub2 = await h.create('subnet', 'subnets', { network_id: net.id, cidr: '10.3.0.0/24', ip_version: 4 }, h.alice.token);
    sub3 = await h.create('subnet', 'subnets', { network_id: net.id, cidr: '10.4.0.0/24', ip_version: 4, enable_dhcp: false }, h.alice.token);
    vm = await h.create('port', 'ports', {
      network_id: net.id, fixed_ips: [{ subnet_id: sub1.id }], device_owner: 'compute:nova', device_id: 'vm-1',
      extra_dhcp_opts: [{ opt_name: 'mtu', opt_value: '1400' }],
    }, h.alice.token);
  });

  it('schedules the network to the asking agent and creates one DHCP port with an address per DHCP subnet', async () => {
    const state = await dhcp('net-a');
    assert.equal(state.host, 'net-a');
    assert.deepEqual(state.networks.map((n) => n.network.id), [net.id]);
    const [served] = state.networks;
    assert.deepEqual(served!.subnets.map((s) => [s.id, s.enable_dhcp]), [[sub1.id, true], [sub2.id, true], [sub3.id, false]]);
    assert.deepEqual(served!.subnets[0]!.dns_nameservers, ['192.0.2.53']);
    assert.equal(served!.isolated, true);

    const ports = await dhcpPorts(h, net.id);
    assert.equal(ports.length, 1);
    const port = ports[0]!;
    assert.equal(served!.dhcp_port.id, port.id);
    assert.equal(port.device_id, dhcpDeviceId(net.id, 'net-a'));
    assert.match(port.device_id, /^dhcp[0-9a-f-]{36}-/);
    assert.equal(port['binding:host_id'], 'net-a');
    assert.equal(port['binding:vif_type'], 'bridge');
    assert.equal(port.admin_state_up, true);
    assert.deepEqual((port.fixed_ips as Json[]).map((ip) => ip.subnet_id).sort(), [sub1.id, sub2.id].sort());
    for (const ip of port.fixed_ips as Json[]) assert.notEqual(ip.ip_address, ip.subnet_id === sub1.id ? sub1.gateway_ip : sub2.gateway_ip);

    assert.deepEqual(served!.ports.map((p) => p.id), [vm.id]);
    const lease = served!.ports[0]!;
    assert.equal(lease.hostname, `host-${(vm.fixed_ips[0].ip_address as string).replace(/\./g, '-')}`);
    assert.deepEqual(lease.extra_dhcp_opts, [{ opt_name: 'mtu', opt_value: '1400', ip_version: 4 }]);
    await eventually(() => ctx.events.some((e) => e.event_type === 'port.create.end'), 'port.create.end');
    assert.ok(ctx.events.some((e) => e.event_type === 'dhcp_agent.network.add' && (e.payload as Json).agent.network_id === net.id));
  });

  it('is idempotent', async () => {
    const before = (await dhcpPorts(h, net.id))[0]!;
    const again = await dhcp('net-a');
    assert.equal(again.networks.length, 1);
    const ports = await dhcpPorts(h, net.id);
    assert.equal(ports.length, 1);
    assert.equal(ports[0]!.id, before.id);
    assert.equal(ports[0]!.revision_number, before.revision_number);
    // The other agent does not get a network an alive agent serves.
    assert.deepEqual((await dhcp('net-b')).networks.map((n) => n.network.id), []);
  });

  it('follows the network: dns names, a router interface, a new DHCP subnet', async () => {
    await put(h, `/v2.0/ports/${vm.id}`, { port: { dns_name: 'web1' } }, h.alice.token);
    const router = await h.create('router', 'routers', { name: 'r' }, h.alice.token);
    await put(h, `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub1.id }, h.alice.token);
    const sub4 = await h.create('subnet', 'subnets', { network_id: net.id, cidr: '10.5.0.0/24', ip_version: 4 }, h.alice.token);
    const [served] = (await dhcp('net-a')).networks;
    assert.equal(served!.isolated, false);
    assert.equal(served!.ports.find((p) => p.id === vm.id)!.hostname, 'web1');
    assert.ok(served!.ports.some((p) => p.device_owner === 'network:router_interface'));
    assert.deepEqual(served!.dhcp_port.fixed_ips.map((ip) => ip.subnet_id).sort(), [sub1.id, sub2.id, sub4.id].sort());
    assert.equal((await dhcpPorts(h, net.id)).length, 1);
  });

  it('gives a new network to the least-loaded agent', async () => {
    const net2 = await h.create('network', 'networks', { name: 'second' }, h.bob.token);
    await h.create('subnet', 'subnets', { network_id: net2.id, cidr: '10.9.0.0/24', ip_version: 4 }, h.bob.token);
    // net-a asks, but net-b serves nothing yet: net-b gets it.
    assert.deepEqual((await dhcp('net-a')).networks.map((n) => n.network.id), [net.id]);
    const b = await dhcp('net-b');
    assert.deepEqual(b.networks.map((n) => n.network.id), [net2.id]);
    assert.equal((await dhcpPorts(h, net2.id))[0]!['binding:host_id'], 'net-b');
    // A network without DHCP-enabled subnets is not scheduled.
    const plain = await h.create('network', 'networks', { name: 'nodhcp' }, h.bob.token);
    await h.create('subnet', 'subnets', { network_id: plain.id, cidr: '10.10.0.0/24', ip_version: 4, enable_dhcp: false }, h.bob.token);
    await dhcp('net-b');
    assert.equal(await h.db.selectFrom('net_network_dhcp_agent').select('agent_id').where('network_id', '=', plain.id).executeTakeFirst(), undefined);
    assert.deepEqual(await dhcpPorts(h, plain.id), []);
  });

  it('moves a dead agent\'s networks (and their DHCP ports) to an alive agent', async () => {
    const before = (await dhcpPorts(h, net.id))[0]!;
    await kill(h, 'net-a', 'DHCP agent');
    const b = await dhcp('net-b');
    assert.ok(b.networks.some((n) => n.network.id === net.id));
    const ports = await dhcpPorts(h, net.id);
    assert.equal(ports.length, 1);
    assert.equal(ports[0]!.id, before.id, 'the DHCP port (and its addresses) is taken over');
    assert.deepEqual(ports[0]!.fixed_ips, before.fixed_ips);
    assert.equal(ports[0]!['binding:host_id'], 'net-b');
    assert.equal(ports[0]!.device_id, dhcpDeviceId(net.id, 'net-b'));
    // The dead agent, back again, finds the network gone: it must tear its copy down.
    assert.deepEqual((await dhcp('net-a')).networks, []);
    await agent(h, 'dhcp', 'net-a');
    assert.ok(!(await dhcp('net-a')).networks.some((n) => n.network.id === net.id));
  });

  it('stops serving (but keeps the binding of) a network whose subnets no longer serve DHCP', async () => {
    const subnets = (await h.request('GET', `/v2.0/subnets?network_id=${net.id}`)).json().subnets as Json[];
    for (const s of subnets) if (s.enable_dhcp) await put(h, `/v2.0/subnets/${s.id}`, { subnet: { enable_dhcp: false } }, h.alice.token);
    const b = await dhcp('net-b');
    assert.ok(!b.networks.some((n) => n.network.id === net.id));
    assert.deepEqual(await dhcpPorts(h, net.id), []);
    assert.ok(await h.db.selectFrom('net_network_dhcp_agent').select('agent_id').where('network_id', '=', net.id).executeTakeFirst());
  });

  it('answers nothing to a host whose DHCP agent is not alive or unknown', async () => {
    assert.deepEqual(await dhcp('nowhere'), { host: 'nowhere', networks: [] });
    await kill(h, 'net-b', 'DHCP agent');
    assert.deepEqual((await dhcp('net-b')).networks, []);
  });
});

describe('agent RPC: DHCP agents racing', () => {
  const ctx = harnessWithBus();

  it('binds each network to exactly one agent with exactly one DHCP port', async () => {
    const h = ctx.get();
    const hosts = ['race-1', 'race-2', 'race-3', 'race-4'];
    for (const host of hosts) {
      await agent(h, 'l2', host);
      await agent(h, 'dhcp', host);
    }
    const nets: Json[] = [];
    for (let i = 0; i < 6; i += 1) {
      const n = await h.create('network', 'networks', { name: `race-${i}` }, h.alice.token);
      await h.create('subnet', 'subnets', { network_id: n.id, cidr: `10.20.${i}.0/24`, ip_version: 4 }, h.alice.token);
      nets.push(n);
    }
    // Every agent syncs at once, twice.
    const states = [
      ...await Promise.all(hosts.map((host) => ctx.call('get_dhcp_state', { host }) as Promise<DhcpState>)),
      ...await Promise.all(hosts.map((host) => ctx.call('get_dhcp_state', { host }) as Promise<DhcpState>)),
    ];
    const bindings = await h.db.selectFrom('net_network_dhcp_agent').selectAll().execute();
    assert.equal(bindings.length, nets.length);
    const last = states.slice(hosts.length);
    for (const n of nets) {
      const ports = await dhcpPorts(h, n.id);
      assert.equal(ports.length, 1, `network ${n.name} has one DHCP port`);
      const servers = last.filter((s) => s.networks.some((x) => x.network.id === n.id));
      assert.equal(servers.length, 1, `network ${n.name} is served by one agent`);
      assert.equal(ports[0]!['binding:host_id'], servers[0]!.host);
    }
    const loads = hosts.map((host) => last.find((s) => s.host === host)!.networks.length).sort();
    assert.equal(loads.reduce((a, b) => a + b, 0), nets.length);
    // Least loaded: 6 networks over 4 agents is 2/2/1/1 when the syncs are serialised (SQLite);
    // truly concurrent transactions (PostgreSQL) may both read a load before either commits.
    if (process.env.NIMBUS_TEST_DATABASE_URL === undefined) assert.deepEqual(loads, [1, 1, 2, 2]);
  });
});

describe('agent RPC: get_l3_state', () => {
  const ctx = harnessWithBus();
  const l3 = (host: string) => ctx.call('get_l3_state', { host }) as Promise<L3State>;
  let h: NetworkHarness;
  let ext: Json;
  let extSubnet: Json;
  let sub: Json;
  let router: Json;
  let vm: Json;
  let fip: Json;

  before(async () => {
    h = ctx.get();
    for (const host of ['l3-a', 'l3-b']) {
      await agent(h, 'l2', host);
      await agent(h, 'l3', host);
    }
    ext = await h.create('network', 'networks', { name: 'public', 'router:external': true });
    extSubnet = await h.create('subnet', 'subnets', { network_id: ext.id, cidr: '172.24.4.0/24', ip_version: 4 });
    const net = await h.create('network', 'networks', { name: 'private' }, h.alice.token);
    sub = await h.create('subnet', 'subnets', { network_id: net.id, cidr: '10.6.0.0/24', ip_version: 4 }, h.alice.token);
    router = await h.create('router', 'routers', { name: 'r1', external_gateway_info: { network_id: ext.id } }, h.alice.token);
    await put(h, `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }, h.alice.token);
    await put(h, `/v2.0/routers/${router.id}`, { router: { routes: [{ destination: '10.60.0.0/24', nexthop: '10.6.0.9' }] } }, h.alice.token);
    vm = await h.create('port', 'ports', { network_id: net.id, device_owner: 'compute:nova', device_id: 'vm-1' }, h.alice.token);
    fip = await h.create('floatingip', 'floatingips', { floating_network_id: ext.id, port_id: vm.id }, h.alice.token);
    // A router with no gateway and no interface needs no agent.
    await h.create('router', 'routers', { name: 'idle' }, h.alice.token);
  });

  it('schedules the router and returns its gateway, interfaces, routes and floating IPs', async () => {
    const state = await l3('l3-a');
    assert.equal(state.host, 'l3-a');
    assert.deepEqual(state.routers.map((r) => r.id), [router.id]);
    const [r] = state.routers;
    assert.equal(r!.project_id, h.alice.projectId);
    assert.equal(r!.admin_state_up, true);
    const shown = (await h.request('GET', `/v2.0/routers/${router.id}`)).json().router;
    const gwIp = shown.external_gateway_info.external_fixed_ips[0].ip_address as string;
    assert.ok(r!.gateway !== null);
    assert.deepEqual(r!.gateway!.addresses, [`${gwIp}/24`]);
    assert.deepEqual(r!.gateway!.gateway_ips, [extSubnet.gateway_ip]);
    assert.equal(r!.gateway!.enable_snat, true);
    assert.equal(r!.gateway!.network_id, ext.id);
    assert.deepEqual(r!.gateway!.subnets.map((s) => s.id), [extSubnet.id]);
    assert.equal(r!.interfaces.length, 1);
    assert.deepEqual(r!.interfaces[0]!.addresses, ['10.6.0.1/24']);
    assert.deepEqual(r!.interfaces[0]!.subnets.map((s) => s.cidr), ['10.6.0.0/24']);
    assert.deepEqual(r!.routes, [{ destination: '10.60.0.0/24', nexthop: '10.6.0.9' }]);
    assert.deepEqual(r!.floating_ips, [{
      id: fip.id, floating_ip_address: fip.floating_ip_address, fixed_ip_address: vm.fixed_ips[0].ip_address, fixed_port_id: vm.id, status: fip.status,
    }]);
    assert.ok((await l3('l3-b')).routers.length === 0, 'the other agent does not get the router');
  });

  it('binds the router\'s ports to the agent\'s host, once', async () => {
    const gw = (await h.request('GET', `/v2.0/ports?device_id=${router.id}&device_owner=network:router_gateway`)).json().ports[0];
    const ifacePort = (await h.request('GET', `/v2.0/ports?device_id=${router.id}&device_owner=network:router_interface`)).json().ports[0];
    for (const p of [gw, ifacePort]) {
      assert.equal(p['binding:host_id'], 'l3-a');
      assert.equal(p['binding:vif_type'], 'bridge');
    }
    await eventually(() => ctx.events.filter((e) => e.event_type === 'port.update.end').length >= 2, 'port.update.end for the router ports');
    assert.ok(ctx.events.some((e) => e.event_type === 'l3_agent.router.add' && (e.payload as Json).agent.router_id === router.id));
    await l3('l3-a');
    assert.equal((await getPort(h, gw.id)).revision_number, gw.revision_number);
    // The host's L2 agent now plugs them.
    const l2 = await ctx.call('get_l2_state', { host: 'l3-a' }) as L2State;
    assert.deepEqual(l2.ports.map((p) => p.device_owner).sort(), ['network:router_gateway', 'network:router_interface']);
  });

  it('takes floating IP statuses only from the host that hosts the router', async () => {
    const initial = (await h.request('GET', `/v2.0/floatingips/${fip.id}`)).json().floatingip;
    await ctx.call('update_floatingip_statuses', { host: 'l3-b', statuses: { [fip.id]: 'ERROR' } });
    const unchanged = (await h.request('GET', `/v2.0/floatingips/${fip.id}`)).json().floatingip;
    assert.deepEqual([unchanged.status, unchanged.revision_number], [initial.status, initial.revision_number]);
    assert.deepEqual(await ctx.call('update_floatingip_statuses', { host: 'l3-a', statuses: { [fip.id]: 'DOWN' } }), {});
    assert.deepEqual(await ctx.call('update_floatingip_statuses', { host: 'l3-a', statuses: { [fip.id]: 'ACTIVE' } }), {});
    await ctx.call('update_floatingip_statuses', { host: 'l3-a', statuses: { [fip.id]: 'ACTIVE' } });
    const active = (await h.request('GET', `/v2.0/floatingips/${fip.id}`)).json().floatingip;
    assert.equal(active.status, 'ACTIVE');
    assert.equal(active.revision_number, initial.revision_number + (initial.status === 'DOWN' ? 1 : 2));
    await eventually(() => ctx.events.some((e) => e.event_type === 'floatingip.update.end'), 'floatingip.update.end');
    const [r] = (await l3('l3-a')).routers;
    assert.equal(r!.floating_ips[0]!.status, 'ACTIVE');
  });

  it('moves a dead agent\'s routers, and their ports, to an alive agent', async () => {
    await kill(h, 'l3-a', 'L3 agent');
    const state = await l3('l3-b');
    assert.deepEqual(state.routers.map((r) => r.id), [router.id]);
    const ports = (await h.request('GET', `/v2.0/ports?device_id=${router.id}`)).json().ports as Json[];
    assert.equal(ports.length, 2);
    for (const p of ports) {
      assert.equal(p['binding:host_id'], 'l3-b');
      assert.equal(p.status, 'DOWN');
    }
    assert.deepEqual((await l3('l3-a')).routers, []);
  });
});

// The agent RPC (topic q-plugin) over a memory bus: get_l2_state, update_port_status,
// get_metadata_port and the refusal of malformed arguments. Scheduling (DHCP, L3) is in
// agent-rpc-scheduling.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Bus, type BusArgs, type Notification } from '../../../src/bus/index.js';
import { reportAgentState } from '../../../src/network/domain/agents/agents.js';
import { PLUGIN_TOPIC, serveAgentRpc } from '../../../src/network/rpc/agent-rpc.js';
import type { L2State, MetadataLookup } from '../../../src/network/agents/common/state.js';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { putOk, showPort } from '../../support/network-fixtures.js';

type Json = Record<string, any>;

async function lbAgent(h: NetworkHarness, host: string, tunnelingIp?: string): Promise<void> {
  await reportAgentState(h.db, {
    agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'N/A', host,
    configurations: { tunnel_types: ['vxlan'], interface_mappings: {}, ...(tunnelingIp !== undefined ? { tunneling_ip: tunnelingIp } : {}) },
  });
}

const put = putOk;
const getPort = showPort;

/** A port of `token`'s project bound (by the admin) to `host`. */
async function boundPort(h: NetworkHarness, networkId: string, host: string, token: string, body: Json = {}): Promise<Json> {
  const port = await h.create('port', 'ports', { network_id: networkId, device_owner: 'compute:nova', device_id: crypto.randomUUID(), ...body }, token);
  return (await put(h, `/v2.0/ports/${port.id}`, { port: { 'binding:host_id': host } })).port;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
}

describe('agent RPC: get_l2_state', () => {
  let h: NetworkHarness;
  let bus: Bus;
  const call = (method: string, args: BusArgs) => bus.call({ topic: PLUGIN_TOPIC }, method, args);
  let net: Json;
  let sg: Json;
  let ag: Json;
  let vm1: Json;
  let vm2: Json;
  let vm3: Json;

  before(async () => {
    h = await startNetwork();
    bus = new MemoryBus({});
    await serveAgentRpc(bus, h.deps, 'api-host');
    await lbAgent(h, 'compute-1', '192.0.2.1');
    await lbAgent(h, 'compute-2', '192.0.2.2');
    await lbAgent(h, 'compute-3');
    net = await h.create('network', 'networks', { name: 'l2' }, h.alice.token);
    await h.create('subnet', 'subnets', { network_id: net.id, cidr: '10.1.0.0/24', ip_version: 4 }, h.alice.token);
    sg = await h.create('security_group', 'security-groups', { name: 'web' }, h.alice.token);
    ag = await h.create('address_group', 'address-groups', { name: 'office', addresses: ['198.51.100.0/24'] }, h.alice.token);
    const rule = (body: Json) => h.create('security_group_rule', 'security-group-rules', { security_group_id: sg.id, ...body }, h.alice.token);
    await rule({ direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_group_id: sg.id });
    await rule({ direction: 'ingress', protocol: 'icmp', remote_address_group_id: ag.id });
    await rule({ direction: 'ingress', ethertype: 'IPv4', protocol: '132', remote_ip_prefix: '203.0.113.0/24' });
    vm1 = await boundPort(h, net.id, 'compute-1', h.alice.token, { security_groups: [sg.id] });
    vm2 = await boundPort(h, net.id, 'compute-2', h.alice.token, { security_groups: [sg.id], allowed_address_pairs: [
      { ip_address: '10.1.0.200' }, { ip_address: '10.1.0.201', mac_address: 'fa:16:3e:00:00:01' }, { ip_address: '10.1.0.128/28' },
    ] });
    vm3 = await boundPort(h, net.id, 'compute-3', h.alice.token);
  });
  after(async () => {
    await bus.close();
    await h.close();
  });

  it('returns the ports bound to the host with their network, groups, members and l2pop entries', async () => {
    const state = await call('get_l2_state', { host: 'compute-1' }) as L2State;
    assert.equal(state.host, 'compute-1');
    assert.deepEqual(state.ports.map((p) => p.id), [vm1.id]);
    const [port] = state.ports;
    assert.equal(port!.mac_address, vm1.mac_address);
    assert.deepEqual(port!.fixed_ips, vm1.fixed_ips);
    assert.deepEqual(port!.security_group_ids, [sg.id]);
    assert.equal(port!.port_security_enabled, true);
    assert.equal(port!.device_owner, 'compute:nova');

    assert.equal(state.networks.length, 1);
    const [network] = state.networks;
    assert.equal(network!.id, net.id);
    assert.equal(network!.network_type, 'vxlan');
    const asAdmin = (await h.request('GET', `/v2.0/networks/${net.id}`)).json().network;
    assert.equal(network!.segmentation_id, asAdmin['provider:segmentation_id']);
    assert.equal(typeof network!.segmentation_id, 'number');
    assert.equal(network!.mtu, net.mtu);

    const group = state.security_groups[sg.id]!;
    assert.equal(group.stateful, true);
    const protocols = group.rules.map((r) => r.protocol).sort((a, b) => String(a).localeCompare(String(b)));
    assert.deepEqual(protocols, ['132', 'icmp', null, null, 'tcp']);
    const ssh = group.rules.find((r) => r.protocol === 'tcp')!;
    assert.deepEqual([ssh.port_range_min, ssh.port_range_max, ssh.remote_group_id], [22, 22, sg.id]);

    const ip = (p: Json) => p.fixed_ips[0].ip_address as string;
    assert.deepEqual([...state.security_group_members[sg.id]!].sort(), [ip(vm1), ip(vm2), '10.1.0.200', '10.1.0.201', '10.1.0.128/28'].sort());
    assert.deepEqual(state.address_groups, { [ag.id]: ['198.51.100.0/24'] });

    // compute-2 reported a tunnel address; compute-3 did not and is left out.
    assert.deepEqual(state.fdb, {
      [net.id]: [{
        host: 'compute-2', tunnel_ip: '192.0.2.2', ports: [
          { mac_address: vm2.mac_address, ip_addresses: [ip(vm2), '10.1.0.200'] },
          { mac_address: 'fa:16:3e:00:00:01', ip_addresses: ['10.1.0.201'] },
        ],
      }],
    });
  });

  it('leaves out hosts whose L2 agent is dead, and answers an empty state for an unknown host', async () => {
    await h.db.updateTable('net_agent').set({ heartbeat_timestamp: '2000-01-01T00:00:00Z' }).where('host', '=', 'compute-2').execute();
    try {
      const state = await call('get_l2_state', { host: 'compute-1' }) as L2State;
      assert.deepEqual(state.fdb, { [net.id]: [] });
    } finally {
      await lbAgent(h, 'compute-2', '192.0.2.2');
    }
    const empty = await call('get_l2_state', { host: 'nowhere' }) as L2State;
    assert.deepEqual(empty, { host: 'nowhere', networks: [], ports: [], security_groups: {}, security_group_members: {}, address_groups: {}, fdb: {} });
  });

  it('binds a port whose binding failed once the host\'s L2 agent reports', async () => {
    const port = await boundPort(h, net.id, 'compute-9', h.alice.token);
    assert.equal(port['binding:vif_type'], 'binding_failed');
    await lbAgent(h, 'compute-9', '192.0.2.9');
    const state = await call('get_l2_state', { host: 'compute-9' }) as L2State;
    assert.deepEqual(state.ports.map((p) => p.id), [port.id]);
    const after = await getPort(h, port.id);
    assert.equal(after['binding:vif_type'], 'bridge');
    assert.equal(after.revision_number, port.revision_number + 1);
    // compute-9's view of the network now includes compute-1 and compute-2 but not compute-3.
    assert.deepEqual(state.fdb[net.id]!.map((e) => e.host), ['compute-1', 'compute-2']);
    void vm3;
  });
});

describe('agent RPC: update_port_status, get_metadata_port and bad arguments', () => {
  let h: NetworkHarness;
  let bus: Bus;
  const events: Notification[] = [];
  const call = (method: string, args: BusArgs) => bus.call({ topic: PLUGIN_TOPIC }, method, args);
  let net: Json;
  let other: Json;
  let vm: Json;
  let elsewhere: Json;
  let router: Json;
  let routedNet: Json;
  let routedVm: Json;

  before(async () => {
    h = await startNetwork();
    bus = new MemoryBus({});
    await bus.subscribeNotifications('*', (n) => { events.push(n); });
    await serveAgentRpc(bus, h.deps, 'api-host');
    await lbAgent(h, 'compute-1', '192.0.2.1');
    await lbAgent(h, 'compute-2', '192.0.2.2');
    net = await h.create('network', 'networks', { name: 'status' }, h.alice.token);
    await h.create('subnet', 'subnets', { network_id: net.id, cidr: '10.7.0.0/24', ip_version: 4 }, h.alice.token);
    vm = await boundPort(h, net.id, 'compute-1', h.alice.token);
    elsewhere = await boundPort(h, net.id, 'compute-2', h.alice.token);
    other = await h.create('network', 'networks', { name: 'other' }, h.bob.token);
    await h.create('subnet', 'subnets', { network_id: other.id, cidr: '10.7.0.0/24', ip_version: 4 }, h.bob.token);
    routedNet = await h.create('network', 'networks', { name: 'routed' }, h.alice.token);
    const routedSubnet = await h.create('subnet', 'subnets', { network_id: routedNet.id, cidr: '10.8.0.0/24', ip_version: 4 }, h.alice.token);
    routedVm = await boundPort(h, routedNet.id, 'compute-1', h.alice.token);
    router = await h.create('router', 'routers', { name: 'r' }, h.alice.token);
    await put(h, `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: routedSubnet.id }, h.alice.token);
  });
  after(async () => {
    await bus.close();
    await h.close();
  });

  it('sets the status of ports bound to the reporting host, once', async () => {
    events.length = 0;
    const res = await call('update_port_status', { host: 'compute-1', port_ids: [vm.id, elsewhere.id], status: 'ACTIVE' }) as Json;
    assert.deepEqual(res, { updated: [vm.id] });
    const now = await getPort(h, vm.id);
    assert.equal(now.status, 'ACTIVE');
    assert.equal(now.revision_number, vm.revision_number + 1);
    assert.equal((await getPort(h, elsewhere.id)).status, 'DOWN');
    await eventually(() => events.some((e) => e.event_type === 'port.update.end'), 'port.update.end');
    const note = events.find((e) => e.event_type === 'port.update.end')!.payload as Json;
    assert.equal(note.port.id, vm.id);
    assert.equal(note.port.status, 'ACTIVE');

    // The same report again changes nothing.
    assert.deepEqual(await call('update_port_status', { host: 'compute-1', port_ids: [vm.id], status: 'ACTIVE' }), { updated: [vm.id] });
    assert.equal((await getPort(h, vm.id)).revision_number, vm.revision_number + 1);
    // Another host cannot change compute-1's port.
    assert.deepEqual(await call('update_port_status', { host: 'compute-2', port_ids: [vm.id], status: 'DOWN' }), { updated: [] });
    assert.equal((await getPort(h, vm.id)).status, 'ACTIVE');
    await call('update_port_status', { host: 'compute-1', port_ids: [vm.id], status: 'DOWN' });
    const down = await getPort(h, vm.id);
    assert.equal(down.status, 'DOWN');
    assert.equal(down.revision_number, vm.revision_number + 2);
    // Unknown ports are ignored.
    assert.deepEqual(await call('update_port_status', { host: 'compute-1', port_ids: [crypto.randomUUID()], status: 'DOWN' }), { updated: [] });
  });

  it('finds the instance behind a metadata request by network', async () => {
    const ip = vm.fixed_ips[0].ip_address as string;
    const found = await call('get_metadata_port', { ip_address: ip, network_id: net.id }) as MetadataLookup;
    assert.deepEqual(found, { instance_id: vm.device_id, project_id: h.alice.projectId, port_id: vm.id });
    // Bob's network has the same CIDR: the network decides whose instance it is.
    assert.equal(await call('get_metadata_port', { ip_address: ip, network_id: other.id }), null);
    // An address nobody holds (addresses are allocated at random in the pool, so pick a free one).
    const taken = new Set([vm, elsewhere].map((p) => p.fixed_ips[0].ip_address as string));
    const free = ['10.7.0.250', '10.7.0.251', '10.7.0.252'].find((a) => !taken.has(a))!;
    assert.equal(await call('get_metadata_port', { ip_address: free, network_id: net.id }), null);
  });

  it('finds the instance behind a metadata request by router, never a network:* port', async () => {
    const ip = routedVm.fixed_ips[0].ip_address as string;
    const found = await call('get_metadata_port', { ip_address: ip, router_id: router.id }) as MetadataLookup;
    assert.deepEqual(found, { instance_id: routedVm.device_id, project_id: h.alice.projectId, port_id: routedVm.id });
    // The router's own interface address belongs to a network:router_interface port.
    assert.equal(await call('get_metadata_port', { ip_address: '10.8.0.1', router_id: router.id }), null);
    // A VM on a network the router is not attached to is not found through it.
    assert.equal(await call('get_metadata_port', { ip_address: vm.fixed_ips[0].ip_address, router_id: router.id }), null);
  });

  it('refuses malformed arguments without writing anything', async () => {
    const bad: [string, BusArgs][] = [
      ['get_l2_state', {}],
      ['get_l2_state', { host: 'bad\u0000host' }],
      ['get_l2_state', { host: 42 }],
      ['get_dhcp_state', { host: '' }],
      ['get_l3_state', { host: 'x'.repeat(300) }],
      ['update_port_status', { host: 'compute-1', port_ids: vm.id, status: 'ACTIVE' }],
      ['update_port_status', { host: 'compute-1', port_ids: [vm.id], status: 'UP' }],
      ['update_port_status', { host: 'compute-1', port_ids: ["x' OR 1=1"], status: 'ACTIVE' }],
      ['update_port_status', { port_ids: [vm.id], status: 'ACTIVE' }],
      ['update_floatingip_statuses', { host: 'compute-1', statuses: 'ACTIVE' }],
      ['update_floatingip_statuses', { host: 'compute-1', statuses: { 'not-a-uuid': 'ACTIVE' } }],
      ['update_floatingip_statuses', { host: 'compute-1', statuses: { [crypto.randomUUID()]: 'BROKEN' } }],
      ['get_metadata_port', { ip_address: '10.7.0.5' }],
      ['get_metadata_port', { ip_address: 'not-an-ip', network_id: net.id }],
      ['get_metadata_port', { ip_address: '10.7.0.5', network_id: 'nope' }],
      ['get_metadata_port', { ip_address: 17, router_id: router.id }],
    ];
    const before = await getPort(h, vm.id);
    for (const [method, args] of bad) {
      await assert.rejects(call(method, args), Error, `${method} ${JSON.stringify(args)} should be refused`);
    }
    assert.equal((await getPort(h, vm.id)).revision_number, before.revision_number);
  });
});

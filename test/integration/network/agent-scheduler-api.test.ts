// The dhcp_agent_scheduler and l3_agent_scheduler extensions: listing, manual add/remove of
// networks and routers on agents, Neutron's faults, admin-only policy, the notifications agents
// reconcile on, and the DHCP port / router ports following a manual assignment.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Notification } from '../../../src/bus/index.js';
import { dhcpDeviceId, getDhcpState } from '../../../src/network/rpc/dhcp-state.js';
import { getL3State } from '../../../src/network/rpc/l3-state.js';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { reportFakeAgent } from '../../support/network-fixtures.js';

type Json = Record<string, any>;

const agent = reportFakeAgent;

async function kill(h: NetworkHarness, agentId: string): Promise<void> {
  await h.db.updateTable('net_agent').set({ heartbeat_timestamp: '2000-01-01T00:00:00Z' }).where('id', '=', agentId).execute();
}

async function revive(h: NetworkHarness, agentId: string): Promise<void> {
  await h.db.updateTable('net_agent').set({ heartbeat_timestamp: new Date().toISOString() }).where('id', '=', agentId).execute();
}

async function get(h: NetworkHarness, url: string): Promise<Json> {
  const res = await h.request('GET', url);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

function fault(res: { statusCode: number; body: string; json(): unknown }, status: number, type: string): Json {
  assert.equal(res.statusCode, status, res.body);
  const err = (res.json() as Json).NeutronError;
  assert.ok(err !== undefined, `NeutronError fault expected: ${res.body}`);
  assert.equal(err.type, type);
  assert.equal(typeof err.message, 'string');
  assert.equal(err.detail, '');
  return err;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
}

function withBus(): { get: () => NetworkHarness; events: Notification[] } {
  let h: NetworkHarness;
  let bus: MemoryBus;
  const events: Notification[] = [];
  before(async () => {
    bus = new MemoryBus({});
    await bus.subscribeNotifications('*', (n) => { events.push(n); });
    h = await startNetwork({}, { bus });
  });
  after(async () => {
    await h.close();
    await bus.close();
  });
  return { get: () => h, events };
}

function seen(events: readonly Notification[], type: string, key: 'network_id' | 'router_id', id: string, agentId: string): boolean {
  return events.some((e) => e.event_type === type && (e.payload as Json).agent?.[key] === id && (e.payload as Json).agent?.id === agentId);
}

describe('dhcp_agent_scheduler', () => {
  const ctx = withBus();
  let h: NetworkHarness;
  let a: string;
  let b: string;
  let l3: string;
  let net: Json;
  let subnet: Json;

  before(async () => {
    h = ctx.get();
    for (const host of ['dh-a', 'dh-b']) await agent(h, 'l2', host);
    a = await agent(h, 'dhcp', 'dh-a');
    b = await agent(h, 'dhcp', 'dh-b');
    l3 = await agent(h, 'l3', 'dh-a');
    net = await h.create('network', 'networks', { name: 'served' }, h.alice.token);
    subnet = await h.create('subnet', 'subnets', { network_id: net.id, cidr: '10.40.0.0/24', ip_version: 4 }, h.alice.token);
  });

  it('lists nothing before anything is scheduled', async () => {
    assert.deepEqual(await get(h, `/v2.0/agents/${a}/dhcp-networks`), { networks: [] });
    assert.deepEqual(await get(h, `/v2.0/agents/${b}/dhcp-networks`), { networks: [] });
    // Neutron does not look the network up for this list.
    assert.deepEqual(await get(h, `/v2.0/networks/${crypto.randomUUID()}/dhcp-agents`), { agents: [] });
    assert.deepEqual(await get(h, `/v2.0/networks/not-an-id/dhcp-agents`), { agents: [] });
    // A network without a DHCP-enabled subnet needs no agent.
    const plain = await h.create('network', 'networks', { name: 'plain' }, h.alice.token);
    await h.create('subnet', 'subnets', { network_id: plain.id, cidr: '10.42.0.0/24', ip_version: 4, enable_dhcp: false }, h.alice.token);
    assert.deepEqual(await get(h, `/v2.0/networks/${plain.id}/dhcp-agents`), { agents: [] });
  });

  it('reports the agent serving a DHCP network, scheduling it first when no agent does yet', async () => {
    const agents = (await get(h, `/v2.0/networks/${net.id}/dhcp-agents`)).agents as Json[];
    const shown = (await get(h, `/v2.0/agents/${a}`)).agent;
    // Least loaded, ties to the lower host name: dh-a.
    assert.deepEqual(agents.map((x) => ({ ...x, heartbeat_timestamp: '' })), [{ ...shown, heartbeat_timestamp: '' }]);
    await eventually(() => seen(ctx.events, 'dhcp_agent.network.add', 'network_id', net.id, a), 'dhcp_agent.network.add');
    const networks = (await get(h, `/v2.0/agents/${a}/dhcp-networks`)).networks as Json[];
    assert.deepEqual(networks, [(await get(h, `/v2.0/networks/${net.id}`)).network]);
    assert.deepEqual(networks[0]!.subnets, [subnet.id]);
    assert.deepEqual((await get(h, `/v2.0/agents/${b}/dhcp-networks`)).networks, []);
    // fields and filters work as on every list.
    assert.deepEqual((await get(h, `/v2.0/agents/${a}/dhcp-networks?fields=id&fields=name`)).networks, [{ id: net.id, name: 'served' }]);
    assert.deepEqual((await get(h, `/v2.0/agents/${a}/dhcp-networks.json?name=other`)).networks, []);
    // The agent's sync makes its DHCP port.
    const state = await getDhcpState(h.deps, 'dh-a');
    assert.deepEqual(state.networks.map((n) => n.network.id), [net.id]);
  });

  it('removes a network: 204, unlisted, DHCP port reserved, agents told; 409 when that agent does not serve it', async () => {
    const notHosted = fault(await h.request('DELETE', `/v2.0/agents/${b}/dhcp-networks/${net.id}`), 409, 'NetworkNotHostedByDhcpAgent');
    assert.equal(notHosted.message, `The network ${net.id} is not hosted by the DHCP agent ${b}.`);
    fault(await h.request('DELETE', `/v2.0/agents/${a}/dhcp-networks/not-a-network`), 409, 'NetworkNotHostedByDhcpAgent');

    const before = (await get(h, `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`)).ports as Json[];
    assert.equal(before.length, 1);
    assert.equal(before[0]!.device_id, dhcpDeviceId(net.id, 'dh-a'));
    const res = await h.request('DELETE', `/v2.0/agents/${a}/dhcp-networks/${net.id}`);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(res.body, '');
    assert.deepEqual((await get(h, `/v2.0/agents/${a}/dhcp-networks`)).networks, []);
    const port = (await get(h, `/v2.0/ports/${before[0]!.id}`)).port;
    assert.equal(port.device_id, 'reserved_dhcp_port');
    assert.deepEqual(port.fixed_ips, before[0]!.fixed_ips);
    assert.equal(port.revision_number, before[0]!.revision_number + 1);
    await eventually(() => seen(ctx.events, 'dhcp_agent.network.remove', 'network_id', net.id, a), 'dhcp_agent.network.remove');
    await eventually(() => ctx.events.some((e) => e.event_type === 'port.update.end' && (e.payload as Json).port.device_id === 'reserved_dhcp_port'), 'port.update.end');
    fault(await h.request('DELETE', `/v2.0/agents/${a}/dhcp-networks/${net.id}`), 409, 'NetworkNotHostedByDhcpAgent');
  });

  it('adds a network to an agent: 201 with a null body, listed both ways, the reserved DHCP port moves to its host', async () => {
    const before = (await get(h, `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`)).ports as Json[];
    const res = await h.request('POST', `/v2.0/agents/${b}/dhcp-networks`, { body: { network_id: net.id } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.body, 'null');
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.deepEqual((await get(h, `/v2.0/agents/${b}/dhcp-networks`)).networks.map((n: Json) => n.id), [net.id]);
    assert.deepEqual((await get(h, `/v2.0/networks/${net.id}/dhcp-agents`)).agents.map((x: Json) => [x.id, x.host]), [[b, 'dh-b']]);
    await eventually(() => seen(ctx.events, 'dhcp_agent.network.add', 'network_id', net.id, b), 'dhcp_agent.network.add');

    const after = (await get(h, `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`)).ports as Json[];
    assert.deepEqual(after.map((p) => p.id), [before[0]!.id]);
    assert.equal(after[0]!['binding:host_id'], 'dh-b');
    assert.equal(after[0]!['binding:vif_type'], 'bridge');
    assert.equal(after[0]!.device_id, dhcpDeviceId(net.id, 'dh-b'));
    assert.deepEqual(after[0]!.fixed_ips, before[0]!.fixed_ips);
    // The agent's own sync agrees and changes nothing.
    const state = await getDhcpState(h.deps, 'dh-b');
    assert.deepEqual(state.networks.map((n) => n.network.id), [net.id]);
    assert.equal(state.networks[0]!.dhcp_port.id, after[0]!.id);
    assert.equal((await get(h, `/v2.0/ports/${after[0]!.id}`)).port.revision_number, after[0]!.revision_number);
    assert.deepEqual((await getDhcpState(h.deps, 'dh-a')).networks, []);
  });

  it('refuses a second add (409 NetworkHostedByDHCPAgent), from the same or another agent', async () => {
    const same = fault(await h.request('POST', `/v2.0/agents/${b}/dhcp-networks`, { body: { network_id: net.id } }), 409, 'NetworkHostedByDHCPAgent');
    assert.equal(same.message, `The network ${net.id} has been already hosted by the DHCP Agent ${b}.`);
    const other = fault(await h.request('POST', `/v2.0/agents/${a}/dhcp-networks`, { body: { network_id: net.id } }), 409, 'NetworkHostedByDHCPAgent');
    assert.match(other.message, new RegExp(`hosted by the DHCP Agent ${b}\\..*dhcp_agents_per_network`));
    assert.deepEqual((await get(h, `/v2.0/networks/${net.id}/dhcp-agents`)).agents.map((x: Json) => x.id), [b]);
  });

  it('answers 404 for an unknown network or agent, or an agent that cannot serve DHCP, and 400 for a bad body', async () => {
    const missing = crypto.randomUUID();
    fault(await h.request('POST', `/v2.0/agents/${a}/dhcp-networks`, { body: { network_id: missing } }), 404, 'NetworkNotFound');
    const unknownAgent = fault(await h.request('POST', `/v2.0/agents/${missing}/dhcp-networks`, { body: { network_id: net.id } }), 404, 'AgentNotFound');
    assert.equal(unknownAgent.message, `Agent ${missing} could not be found.`);
    fault(await h.request('GET', `/v2.0/agents/${missing}/dhcp-networks`), 404, 'AgentNotFound');
    fault(await h.request('DELETE', `/v2.0/agents/${missing}/dhcp-networks/${net.id}`), 404, 'AgentNotFound');
    const wrongType = fault(await h.request('POST', `/v2.0/agents/${l3}/dhcp-networks`, { body: { network_id: net.id } }), 404, 'InvalidDHCPAgent');
    assert.equal(wrongType.message, `Agent ${l3} is not a valid DHCP Agent or has been disabled.`);
    const other = await h.create('network', 'networks', { name: 'other' }, h.alice.token);
    assert.equal((await h.request('PUT', `/v2.0/agents/${b}`, { body: { agent: { admin_state_up: false } } })).statusCode, 200);
    fault(await h.request('POST', `/v2.0/agents/${b}/dhcp-networks`, { body: { network_id: other.id } }), 404, 'InvalidDHCPAgent');
    assert.equal((await h.request('PUT', `/v2.0/agents/${b}`, { body: { agent: { admin_state_up: true } } })).statusCode, 200);

    const noId = fault(await h.request('POST', `/v2.0/agents/${a}/dhcp-networks`, { body: {} }), 400, 'HTTPBadRequest');
    assert.equal(noId.message, "Failed to parse request. Required attribute 'network_id' not specified");
    const badId = fault(await h.request('POST', `/v2.0/agents/${a}/dhcp-networks`, { body: { network_id: 'nope' } }), 400, 'HTTPBadRequest');
    assert.equal(badId.message, "Invalid input for network_id. Reason: 'nope' is not a valid UUID.");
    fault(await h.request('POST', `/v2.0/agents/${a}/dhcp-networks`, { body: ['x'] }), 400, 'HTTPBadRequest');
  });

  it('is admin only: 403 PolicyNotAuthorized for a project member', async () => {
    const token = h.alice.token;
    const rule = (res: Awaited<ReturnType<NetworkHarness['request']>>, name: string) =>
      assert.equal(fault(res, 403, 'PolicyNotAuthorized').message, `(rule:${name}) is disallowed by policy`);
    rule(await h.request('GET', `/v2.0/agents/${a}/dhcp-networks`, { token }), 'get_dhcp-networks');
    rule(await h.request('POST', `/v2.0/agents/${a}/dhcp-networks`, { token, body: { network_id: net.id } }), 'create_dhcp-network');
    rule(await h.request('DELETE', `/v2.0/agents/${a}/dhcp-networks/${net.id}`, { token }), 'delete_dhcp-network');
    rule(await h.request('GET', `/v2.0/networks/${net.id}/dhcp-agents`, { token }), 'get_dhcp-agents');
    assert.equal((await h.request('GET', `/v2.0/agents/${a}/dhcp-networks`, { token: null })).statusCode, 401);
    assert.deepEqual((await get(h, `/v2.0/networks/${net.id}/dhcp-agents`)).agents.map((x: Json) => x.id), [b]);
  });

  it('takes a network over from a dead agent', async () => {
    await kill(h, b);
    assert.equal((await h.request('POST', `/v2.0/agents/${a}/dhcp-networks`, { body: { network_id: net.id } })).statusCode, 201);
    assert.deepEqual((await get(h, `/v2.0/networks/${net.id}/dhcp-agents`)).agents.map((x: Json) => x.id), [a]);
    await eventually(() => seen(ctx.events, 'dhcp_agent.network.remove', 'network_id', net.id, b), 'dhcp_agent.network.remove for the dead agent');
    const port = (await get(h, `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`)).ports[0] as Json;
    assert.equal(port['binding:host_id'], 'dh-a');
    await revive(h, b);
  });

  it('adds a network without subnets (no DHCP port) and lists it', async () => {
    const bare = await h.create('network', 'networks', { name: 'bare' }, h.bob.token);
    assert.equal((await h.request('POST', `/v2.0/agents/${b}/dhcp-networks`, { body: { network_id: bare.id } })).statusCode, 201);
    assert.deepEqual((await get(h, `/v2.0/agents/${b}/dhcp-networks`)).networks.map((n: Json) => n.id), [bare.id]);
    assert.deepEqual((await get(h, `/v2.0/ports?network_id=${bare.id}`)).ports, []);
    assert.equal((await h.request('DELETE', `/v2.0/agents/${b}/dhcp-networks/${bare.id}`)).statusCode, 204);
    assert.deepEqual((await get(h, `/v2.0/agents/${b}/dhcp-networks`)).networks, []);
  });

  it('gives a removed network that still wants DHCP back to the scheduler when asked who serves it', async () => {
    assert.equal((await h.request('DELETE', `/v2.0/agents/${a}/dhcp-networks/${net.id}`)).statusCode, 204);
    assert.deepEqual((await get(h, `/v2.0/agents/${a}/dhcp-networks`)).networks, []);
    const agents = (await get(h, `/v2.0/networks/${net.id}/dhcp-agents`)).agents as Json[];
    assert.equal(agents.length, 1);
    assert.deepEqual((await get(h, `/v2.0/agents/${agents[0]!.id}/dhcp-networks`)).networks.map((n: Json) => n.id), [net.id]);
  });
});

describe('l3_agent_scheduler', () => {
  const ctx = withBus();
  let h: NetworkHarness;
  let a: string;
  let b: string;
  let dhcp: string;
  let router: Json;
  let idle: Json;
  let ifacePort: Json;

  before(async () => {
    h = ctx.get();
    for (const host of ['r-a', 'r-b']) await agent(h, 'l2', host);
    a = await agent(h, 'l3', 'r-a');
    b = await agent(h, 'l3', 'r-b');
    dhcp = await agent(h, 'dhcp', 'r-a');
    const net = await h.create('network', 'networks', { name: 'inside' }, h.alice.token);
    const sub = await h.create('subnet', 'subnets', { network_id: net.id, cidr: '10.41.0.0/24', ip_version: 4 }, h.alice.token);
    router = await h.create('router', 'routers', { name: 'r1' }, h.alice.token);
    const added = await h.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { token: h.alice.token, body: { subnet_id: sub.id } });
    assert.equal(added.statusCode, 200, added.body);
    ifacePort = (await get(h, `/v2.0/ports/${added.json().port_id}`)).port;
    idle = await h.create('router', 'routers', { name: 'idle' }, h.bob.token);
  });

  it('lists nothing before anything is scheduled', async () => {
    assert.deepEqual(await get(h, `/v2.0/agents/${a}/l3-routers`), { routers: [] });
    assert.deepEqual(await get(h, `/v2.0/routers/${router.id}/l3-agents`), { agents: [] });
    assert.deepEqual(await get(h, `/v2.0/routers/${crypto.randomUUID()}/l3-agents`), { agents: [] });
    assert.equal(ifacePort['binding:host_id'], '');
  });

  it('adds a router to an agent: 201, listed both ways, its ports bound to the agent\'s host, agents told', async () => {
    const res = await h.request('POST', `/v2.0/agents/${a}/l3-routers`, { body: { router_id: router.id } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.body, 'null');
    const routers = (await get(h, `/v2.0/agents/${a}/l3-routers`)).routers as Json[];
    assert.deepEqual(routers, [(await get(h, `/v2.0/routers/${router.id}`)).router]);
    const agents = (await get(h, `/v2.0/routers/${router.id}/l3-agents`)).agents as Json[];
    assert.deepEqual(agents.map((x) => [x.id, x.agent_type, x.host, x.alive]), [[a, 'L3 agent', 'r-a', true]]);
    const port = (await get(h, `/v2.0/ports/${ifacePort.id}`)).port;
    assert.equal(port['binding:host_id'], 'r-a');
    assert.equal(port['binding:vif_type'], 'bridge');
    await eventually(() => seen(ctx.events, 'l3_agent.router.add', 'router_id', router.id, a), 'l3_agent.router.add');
    await eventually(() => ctx.events.some((e) => e.event_type === 'port.update.end' && (e.payload as Json).port.id === ifacePort.id), 'port.update.end');
    // The agent's own sync agrees and rebinds nothing.
    assert.deepEqual((await getL3State(h.deps, 'r-a')).routers.map((r) => r.id), [router.id]);
    assert.equal((await get(h, `/v2.0/ports/${ifacePort.id}`)).port.revision_number, port.revision_number);
    assert.deepEqual((await getL3State(h.deps, 'r-b')).routers, []);
  });

  it('accepts adding a router to its own agent again; 409 RouterHostedByL3Agent for another agent', async () => {
    const again = await h.request('POST', `/v2.0/agents/${a}/l3-routers`, { body: { router_id: router.id } });
    assert.equal(again.statusCode, 201, again.body);
    const other = fault(await h.request('POST', `/v2.0/agents/${b}/l3-routers`, { body: { router_id: router.id } }), 409, 'RouterHostedByL3Agent');
    assert.equal(other.message, `The router ${router.id} has been already hosted by the L3 Agent ${a}.`);
    assert.deepEqual((await get(h, `/v2.0/routers/${router.id}/l3-agents`)).agents.map((x: Json) => x.id), [a]);
  });

  it('answers 404 for an unknown router or agent, or an agent that is not an L3 agent, and 400 for a bad body', async () => {
    const missing = crypto.randomUUID();
    const noRouter = fault(await h.request('POST', `/v2.0/agents/${a}/l3-routers`, { body: { router_id: missing } }), 404, 'RouterNotFound');
    assert.equal(noRouter.message, `Router ${missing} could not be found`);
    fault(await h.request('POST', `/v2.0/agents/${missing}/l3-routers`, { body: { router_id: idle.id } }), 404, 'AgentNotFound');
    fault(await h.request('GET', `/v2.0/agents/${missing}/l3-routers`), 404, 'AgentNotFound');
    fault(await h.request('DELETE', `/v2.0/agents/${missing}/l3-routers/${router.id}`), 404, 'AgentNotFound');
    fault(await h.request('DELETE', `/v2.0/agents/${a}/l3-routers/${missing}`), 404, 'RouterNotFound');
    const wrongType = fault(await h.request('POST', `/v2.0/agents/${dhcp}/l3-routers`, { body: { router_id: idle.id } }), 404, 'InvalidL3Agent');
    assert.equal(wrongType.message, `Agent ${dhcp} is not a L3 Agent or has been disabled`);
    await h.db.updateTable('net_agent').set({ admin_state_up: 0 }).where('id', '=', b).execute();
    fault(await h.request('POST', `/v2.0/agents/${b}/l3-routers`, { body: { router_id: idle.id } }), 404, 'InvalidL3Agent');
    await h.db.updateTable('net_agent').set({ admin_state_up: 1 }).where('id', '=', b).execute();
    fault(await h.request('POST', `/v2.0/agents/${a}/l3-routers`, { body: { network_id: router.id } }), 400, 'HTTPBadRequest');
    fault(await h.request('POST', `/v2.0/agents/${a}/l3-routers`, { body: { router_id: 42 } }), 400, 'HTTPBadRequest');
  });

  it('is admin only: 403 PolicyNotAuthorized for a project member, even the router\'s owner', async () => {
    const token = h.alice.token;
    const rule = (res: Awaited<ReturnType<NetworkHarness['request']>>, name: string) =>
      assert.equal(fault(res, 403, 'PolicyNotAuthorized').message, `(rule:${name}) is disallowed by policy`);
    rule(await h.request('GET', `/v2.0/agents/${a}/l3-routers`, { token }), 'get_l3-routers');
    rule(await h.request('POST', `/v2.0/agents/${b}/l3-routers`, { token, body: { router_id: router.id } }), 'create_l3-router');
    rule(await h.request('DELETE', `/v2.0/agents/${a}/l3-routers/${router.id}`, { token }), 'delete_l3-router');
    rule(await h.request('GET', `/v2.0/routers/${router.id}/l3-agents`, { token }), 'get_l3-agents');
    assert.deepEqual((await get(h, `/v2.0/routers/${router.id}/l3-agents`)).agents.map((x: Json) => x.id), [a]);
  });

  it('removes a router: 204, unlisted, agents told; an agent that does not host it answers 204 too', async () => {
    assert.equal((await h.request('DELETE', `/v2.0/agents/${b}/l3-routers/${router.id}`)).statusCode, 204);
    assert.deepEqual((await get(h, `/v2.0/routers/${router.id}/l3-agents`)).agents.map((x: Json) => x.id), [a]);
    const res = await h.request('DELETE', `/v2.0/agents/${a}/l3-routers/${router.id}`);
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await get(h, `/v2.0/agents/${a}/l3-routers`)).routers, []);
    assert.deepEqual((await get(h, `/v2.0/routers/${router.id}/l3-agents`)).agents, []);
    await eventually(() => seen(ctx.events, 'l3_agent.router.remove', 'router_id', router.id, a), 'l3_agent.router.remove');
  });

  it('adds the removed router to another agent, moving its ports there', async () => {
    assert.equal((await h.request('POST', `/v2.0/agents/${b}/l3-routers`, { body: { router_id: router.id } })).statusCode, 201);
    assert.equal((await get(h, `/v2.0/ports/${ifacePort.id}`)).port['binding:host_id'], 'r-b');
    assert.deepEqual((await getL3State(h.deps, 'r-b')).routers.map((r) => r.id), [router.id]);
    assert.deepEqual((await getL3State(h.deps, 'r-a')).routers, []);
  });

  it('takes a router over from a dead agent; keeps a router without ports where it was put', async () => {
    await kill(h, b);
    assert.equal((await h.request('POST', `/v2.0/agents/${a}/l3-routers`, { body: { router_id: router.id } })).statusCode, 201);
    assert.deepEqual((await get(h, `/v2.0/routers/${router.id}/l3-agents`)).agents.map((x: Json) => x.id), [a]);
    await eventually(() => seen(ctx.events, 'l3_agent.router.remove', 'router_id', router.id, b), 'l3_agent.router.remove for the dead agent');
    assert.equal((await get(h, `/v2.0/ports/${ifacePort.id}`)).port['binding:host_id'], 'r-a');
    await revive(h, b);

    assert.equal((await h.request('POST', `/v2.0/agents/${b}/l3-routers`, { body: { router_id: idle.id } })).statusCode, 201);
    await getL3State(h.deps, 'r-a');
    assert.deepEqual((await getL3State(h.deps, 'r-b')).routers.map((r) => r.id), [idle.id]);
    assert.deepEqual((await get(h, `/v2.0/agents/${b}/l3-routers?fields=name`)).routers, [{ name: 'idle' }]);
  });
});

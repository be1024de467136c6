// The nova notifier end to end on the network side: the real network service (its default
// notifier, built from the configuration) authenticates with the service credentials against a
// listening identity service and POSTs /os-server-external-events to a small recording HTTP
// server standing in for the compute API. Port status reports arrive through the agent RPC.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryBus, type Bus } from '../../../src/bus/index.js';
import { parseConfig } from '../../../src/core/config.js';
import { createLogger } from '../../../src/core/logger.js';
import { reportAgentState } from '../../../src/network/domain/agents/agents.js';
import { PLUGIN_TOPIC, serveAgentRpc } from '../../../src/network/rpc/agent-rpc.js';
import { defaultNovaNotifier, NovaNotifier, statusChangeEvent, type NovaEvent } from '../../../src/network/nova-notifier.js';
import { ADMIN_PASSWORD } from '../../support/identity-harness.js';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { connectedRouter, externalNetwork, privateNet, put, type Json } from './l3-support.js';
import { freePort } from '../../support/free-port.js';

interface Recorded { url: string; token: string | undefined; body: { events: NovaEvent[] } }

/** The compute API's stand-in: records each POST; events for `gone` servers get Nova's 404. */
function recordingCompute(gone: Set<string>): Promise<{ server: Server; port: number; posts: Recorded[] }> {
  const posts: Recorded[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => { data += c.toString(); });
    req.on('end', () => {
      const body = JSON.parse(data) as { events: NovaEvent[] };
      posts.push({ url: req.url ?? '', token: req.headers['x-auth-token'] as string | undefined, body });
      const known = body.events.filter((e) => !gone.has(e.server_uuid));
      res.setHeader('content-type', 'application/json');
      if (known.length === 0) {
        res.statusCode = 404;
        res.end(JSON.stringify({ itemNotFound: { code: 404, message: 'No instances found for any event' } }));
        return;
      }
      res.end(JSON.stringify({ events: body.events.map((e) => ({ ...e, code: 200 })) }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, posts })));
}

async function lbAgent(h: NetworkHarness, host: string): Promise<void> {
  await reportAgentState(h.db, {
    agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'N/A', host,
    configurations: { tunnel_types: ['vxlan'], interface_mappings: {}, tunneling_ip: '192.0.2.9' },
  });
}

/** A server's port as the compute agent makes it: compute:<az>, device_id, bound to `host`. */
async function serverPort(h: NetworkHarness, networkId: string, token: string, host: string, owner = 'compute:nova'): Promise<Json> {
  const port = await h.create('port', 'ports', { network_id: networkId, device_owner: owner, device_id: randomUUID() }, token);
  const res = await put(h, `/v2.0/ports/${port.id}`, { port: { 'binding:host_id': host } });
  assert.equal(res.status, 200);
  return res.json.port;
}

describe('nova notifier: events to the compute API', () => {
  const gone = new Set<string>();
  let compute: Awaited<ReturnType<typeof recordingCompute>>;
  let h: NetworkHarness;
  let bus: Bus;
  let net: Json;
  let savedPassword: string | undefined;
  const events = () => compute.posts.flatMap((p) => p.body.events);
  const flush = () => h.deps.novaNotifier!.flush();
  const report = (ids: string[], status: 'ACTIVE' | 'DOWN') => bus.call({ topic: PLUGIN_TOPIC }, 'update_port_status', { host: 'compute-1', port_ids: ids, status });

  before(async () => {
    savedPassword = process.env.NIMBUS_ADMIN_PASSWORD;
    // serviceAuth(config) reads the admin password from here before the data directory.
    process.env.NIMBUS_ADMIN_PASSWORD = ADMIN_PASSWORD;
    compute = await recordingCompute(gone);
    const identityPort = await freePort();
    h = await startNetwork({ identity: { port: identityPort }, compute: { port: compute.port } });
    await h.identity.app.listen({ host: '127.0.0.1', port: identityPort });
    bus = new MemoryBus({});
    await serveAgentRpc(bus, h.deps, 'api-host');
    await lbAgent(h, 'compute-1');
    net = (await privateNet(h, h.alice.token, '10.20.0.0/24')).net;
  });
  after(async () => {
    await bus.close();
    await h.close();
    await new Promise<void>((r) => compute.server.close(() => r()));
    if (savedPassword === undefined) delete process.env.NIMBUS_ADMIN_PASSWORD;
    else process.env.NIMBUS_ADMIN_PASSWORD = savedPassword;
  });

  it('is on by default and off with NIMBUS_NOTIFY_NOVA=0', () => {
    assert.ok(h.deps.novaNotifier instanceof NovaNotifier);
    const off = parseConfig({ dataDir: '/tmp/nimbus-notifier-off' }, { NIMBUS_NOTIFY_NOVA: '0' });
    assert.equal(off.network.notifyNovaOnPortStatusChanges, false);
    assert.equal(defaultNovaNotifier(off, h.db), undefined);
  });

  it('posts network-vif-plugged when the agent reports a port ACTIVE, vif-unplugged when DOWN again', async () => {
    const port = await serverPort(h, net.id, h.alice.token, 'compute-1');
    compute.posts.length = 0;
    await report([port.id], 'ACTIVE');
    await flush();
    assert.equal(compute.posts.length, 1);
    const [post] = compute.posts;
    assert.equal(post!.url, '/v2.1/os-server-external-events');
    assert.ok(post!.token !== undefined && post!.token.length > 20, 'sent with a service token');
    assert.deepEqual(post!.body, { events: [{ name: 'network-vif-plugged', server_uuid: port.device_id, tag: port.id, status: 'completed' }] });

    // Reporting the same status again changes nothing and sends nothing.
    await report([port.id], 'ACTIVE');
    await flush();
    assert.equal(compute.posts.length, 1);

    await report([port.id], 'DOWN');
    await flush();
    assert.deepEqual(compute.posts[1]!.body.events, [{ name: 'network-vif-unplugged', server_uuid: port.device_id, tag: port.id, status: 'completed' }]);
  });

  it('batches the events of several ports into one request', async () => {
    const a = await serverPort(h, net.id, h.alice.token, 'compute-1');
    const b = await serverPort(h, net.id, h.alice.token, 'compute-1');
    compute.posts.length = 0;
    await report([a.id, b.id], 'ACTIVE');
    await flush();
    assert.equal(compute.posts.length, 1);
    assert.deepEqual(compute.posts[0]!.body.events.map((e) => e.tag).sort(), [a.id, b.id].sort());
  });

  it('posts network-vif-deleted when a server port is deleted; a 404 (server gone) is fine', async () => {
    const port = await serverPort(h, net.id, h.alice.token, 'compute-1');
    gone.add(port.device_id);
    compute.posts.length = 0;
    const res = await h.request('DELETE', `/v2.0/ports/${port.id}`, { token: h.alice.token });
    assert.equal(res.statusCode, 204);
    await flush();
    assert.deepEqual(events(), [{ name: 'network-vif-deleted', server_uuid: port.device_id, tag: port.id, status: 'completed' }]);
  });

  it('posts network-changed for the port a floating IP is associated with and disassociated from', async () => {
    const ext = await externalNetwork(h, '172.24.9.0/24');
    const priv = await privateNet(h, h.alice.token, '10.21.0.0/24');
    await connectedRouter(h, h.alice.token, ext.net, priv.subnet);
    const port = await serverPort(h, priv.net.id, h.alice.token, 'compute-1');
    compute.posts.length = 0;
    const fip = await h.create('floatingip', 'floatingips', { floating_network_id: ext.net.id, port_id: port.id }, h.alice.token);
    await flush();
    const changed = { name: 'network-changed', server_uuid: port.device_id, tag: port.id, status: 'completed' };
    assert.deepEqual(events(), [changed]);

    compute.posts.length = 0;
    const res = await put(h, `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: null } }, h.alice.token);
    assert.equal(res.status, 200);
    await flush();
    assert.deepEqual(events(), [changed]);

    // An update that leaves the association alone tells Nova nothing.
    compute.posts.length = 0;
    assert.equal((await put(h, `/v2.0/floatingips/${fip.id}`, { floatingip: { description: 'x' } }, h.alice.token)).status, 200);
    await flush();
    assert.deepEqual(events(), []);
  });

  it('sends nothing for ports that are not a server\'s', async () => {
    const dhcpLike = await serverPort(h, net.id, h.adminToken, 'compute-1', 'network:dhcp');
    const plain = await h.create('port', 'ports', { network_id: net.id }, h.alice.token);
    compute.posts.length = 0;
    await report([dhcpLike.id], 'ACTIVE');
    assert.equal((await h.request('DELETE', `/v2.0/ports/${plain.id}`, { token: h.alice.token })).statusCode, 204);
    assert.equal((await h.request('DELETE', `/v2.0/ports/${dhcpLike.id}`)).statusCode, 204);
    await flush();
    assert.deepEqual(compute.posts, []);
  });
});

describe('nova notifier: the compute API is down', () => {
  let h: NetworkHarness;
  let bus: Bus;

  before(async () => {
    // Nothing listens on either port: authentication and delivery both fail.
    h = await startNetwork({ identity: { port: await freePort() }, compute: { port: await freePort() } });
    bus = new MemoryBus({});
    await serveAgentRpc(bus, h.deps, 'api-host');
    await lbAgent(h, 'compute-1');
  });
  after(async () => {
    await bus.close();
    await h.close();
  });

  it('port operations still succeed', async () => {
    const { net } = await privateNet(h, h.alice.token, '10.30.0.0/24');
    const port = await serverPort(h, net.id, h.alice.token, 'compute-1');
    const reply = await bus.call({ topic: PLUGIN_TOPIC }, 'update_port_status', { host: 'compute-1', port_ids: [port.id], status: 'ACTIVE' }) as { updated: string[] };
    assert.deepEqual(reply.updated, [port.id]);
    assert.equal((await h.request('DELETE', `/v2.0/ports/${port.id}`, { token: h.alice.token })).statusCode, 204);
    await h.deps.novaNotifier!.flush();
    assert.equal((await h.request('GET', `/v2.0/ports/${port.id}`)).statusCode, 404);
  });
});

describe('nova notifier: transitions and the bounded queue', () => {
  const port = { id: 'p1', device_id: 'vm1', device_owner: 'compute:nova' };

  it('maps port status transitions as Neutron does', () => {
    assert.equal(statusChangeEvent(port, 'DOWN', 'ACTIVE')?.status, 'completed');
    assert.deepEqual(statusChangeEvent(port, 'DOWN', 'ERROR'), { server_uuid: 'vm1', tag: 'p1', name: 'network-vif-plugged', status: 'failed' });
    assert.equal(statusChangeEvent(port, 'ACTIVE', 'DOWN')?.name, 'network-vif-unplugged');
    assert.equal(statusChangeEvent(port, 'ACTIVE', 'ERROR'), undefined);
    assert.equal(statusChangeEvent({ ...port, device_id: '' }, 'DOWN', 'ACTIVE'), undefined);
  });

  it('drops events beyond maxQueued instead of growing without bound', async () => {
    const sent: NovaEvent[][] = [];
    const n = new NovaNotifier({ send: async (e) => { sent.push([...e]); return 200; }, logger: createLogger('silent'), maxQueued: 3 });
    for (let i = 0; i < 10; i += 1) n.portDeleted({ ...port, id: `p${i}` });
    await n.flush();
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.map((e) => e.tag), ['p0', 'p1', 'p2']);
  });

  it('a sender that throws is logged, not fatal', async () => {
    const n = new NovaNotifier({ send: () => { throw new Error('no credentials'); }, logger: createLogger('silent') });
    n.portDeleted(port);
    await n.flush();
  });
});

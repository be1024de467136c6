// POST /os-server-external-events through the real compute API: per-event codes (200, 404
// unknown server, 422 not on a host, 400 missing tag), overall 200/207/404, the schema per
// microversion, admin-only policy, casts grouped by host to topic `compute` (only known hosts),
// and network-changed refreshing the info cache from (a fake of) the network service.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type BusArgs, type Server } from '../../../src/bus/index.js';
import type { ComputeClients } from '../../../src/compute/clients.js';
import type { NetworkClient, Port } from '../../../src/core/clients/index.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import type { VifInfo } from '../../../src/compute/rpc/compute-protocol.js';
import { infoCacheRefreshesSettled } from '../../../src/compute/api/external-event-routes.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { insertInstance, type InstanceOverrides } from './server-fixtures.js';

const PORT_A = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';
const PORT_B = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb';

/** Just enough of the network service for an info cache refresh. */
function fakeNetwork(portsOf: (device: string) => Port[]): NetworkClient {
  const fake = {
    listPortsByDevice: async (device: string) => portsOf(device),
    showNetwork: async (id: string) => ({ id, name: id === 'net-1' ? 'private' : 'public', mtu: 1450 }),
    showSubnet: async (id: string) => ({ id, cidr: id === 'sub-1' ? '10.0.0.0/24' : '172.24.4.0/24', ip_version: 4, gateway_ip: id === 'sub-1' ? '10.0.0.1' : null, dns_nameservers: ['10.0.0.2'] }),
    listFloatingIps: async (filters: { port_id?: string }) => (filters.port_id === PORT_A ? [{ floating_ip_address: '172.24.4.50', fixed_ip_address: '10.0.0.5' }] : []),
  };
  return fake as unknown as NetworkClient;
}

const port = (id: string, network: string, subnet: string, ip: string, mac: string): Port =>
  ({ id, network_id: network, mac_address: mac, status: 'ACTIVE', fixed_ips: [{ subnet_id: subnet, ip_address: ip }] }) as unknown as Port;

describe('os-server-external-events', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  const agents: Server[] = [];
  let casts: { host: string; args: BusArgs }[] = [];
  let ports: Record<string, Port[]> = {};

  const server = (over: Partial<InstanceOverrides> = {}): Promise<InstanceRow> =>
    insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId, ...over });
  const post = (events: unknown, version = '2.1', token = h.adminToken) =>
    h.request('POST', '/v2.1/os-server-external-events', { body: { events }, version, token });
  const waitFor = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && casts.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(casts.length, n, JSON.stringify(casts));
  };

  before(async () => {
    bus = new MemoryBus();
    const network = fakeNetwork((device) => ports[device] ?? []);
    const clients = { network, networkAs: () => network, imageAs: () => { throw new Error('unused'); } } as unknown as ComputeClients;
    h = await startCompute({ bus, clients });
    for (const host of ['host-a', 'host-b', 'host-c']) {
      agents.push(await bus.serve('compute', host, {
        external_instance_event: async (args) => { casts.push({ host, args }); },
      }));
    }
  });
  after(async () => {
    for (const a of agents) await a.stop();
    await h?.close();
    await bus?.close();
  });
  beforeEach(() => { casts = []; ports = {}; });

  it('accepts events for servers on hosts (200) and casts them to those hosts only', async () => {
    const a = await server({ host: 'host-a' });
    const b = await server({ host: 'host-b' });
    const res = await post([
      { name: 'network-vif-plugged', server_uuid: a.uuid, tag: PORT_A },
      { name: 'network-vif-plugged', server_uuid: b.uuid, tag: PORT_B, status: 'failed' },
      { name: 'network-vif-unplugged', server_uuid: a.uuid, tag: PORT_B, status: 'in-progress' },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().events, [
      { name: 'network-vif-plugged', server_uuid: a.uuid, tag: PORT_A, status: 'completed', code: 200 },
      { name: 'network-vif-plugged', server_uuid: b.uuid, tag: PORT_B, status: 'failed', code: 200 },
      { name: 'network-vif-unplugged', server_uuid: a.uuid, tag: PORT_B, status: 'in-progress', code: 200 },
    ]);
    await waitFor(2);
    const byHost = Object.fromEntries(casts.map((c) => [c.host, c.args]));
    assert.deepEqual(byHost['host-a'], { events: [
      { name: 'network-vif-plugged', server_uuid: a.uuid, status: 'completed', tag: PORT_A },
      { name: 'network-vif-unplugged', server_uuid: a.uuid, status: 'in-progress', tag: PORT_B },
    ] });
    assert.deepEqual(byHost['host-b'], { events: [{ name: 'network-vif-plugged', server_uuid: b.uuid, status: 'failed', tag: PORT_B }] });
  });

  it('answers 207 with per-event 404 (unknown or deleted server) and 422 (no host); only the good one is cast', async () => {
    const a = await server({ host: 'host-a' });
    const unscheduled = await server({ host: null, vm_state: 'building', launched_at: null });
    const gone = await server({ host: 'host-c', deleted: 1, vm_state: 'deleted' });
    const unknown = '0e7c9a61-1b2c-4d3e-8f40-5a6b7c8d9e0f';
    const res = await post([
      { name: 'network-vif-plugged', server_uuid: a.uuid, tag: PORT_A },
      { name: 'network-vif-plugged', server_uuid: unknown, tag: PORT_A },
      { name: 'network-vif-plugged', server_uuid: unscheduled.uuid, tag: PORT_A },
      { name: 'network-vif-deleted', server_uuid: gone.uuid, tag: PORT_A },
    ]);
    assert.equal(res.statusCode, 207, res.body);
    assert.deepEqual(res.json().events.map((e: any) => [e.code, e.status]), [[200, 'completed'], [404, 'failed'], [422, 'failed'], [404, 'failed']]);
    await waitFor(1);
    assert.equal(casts[0]!.host, 'host-a');
  });

  it('answers 404 when no event could be accepted, and casts nothing', async () => {
    const unscheduled = await server({ host: null });
    const res = await post([
      { name: 'network-vif-plugged', server_uuid: '0e7c9a61-1b2c-4d3e-8f40-5a6b7c8d9e0f' },
      { name: 'network-changed', server_uuid: unscheduled.uuid },
    ]);
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { itemNotFound: { code: 404, message: 'No instances found for any event' } });
    await waitFor(0);
  });

  it('validates events per microversion; tag-requiring events without a tag fail alone (400 code)', async () => {
    const a = await server({ host: 'host-a' });
    let res = await post([{ name: 'volume-extended', server_uuid: a.uuid, tag: 'vol' }], '2.50');
    assert.equal(res.statusCode, 400);
    assert.match(res.json().badRequest.message, /^Invalid input for field\/attribute name\. Value: volume-extended\. 'volume-extended' is not one of/);
    res = await post([{ name: 'volume-extended', server_uuid: a.uuid }, { name: 'network-changed', server_uuid: a.uuid }], '2.51');
    assert.equal(res.statusCode, 207, res.body);
    assert.deepEqual(res.json().events.map((e: any) => e.code), [400, 200]);
    assert.equal((await post([{ name: 'power-update', server_uuid: a.uuid, tag: 'POWER_OFF' }], '2.75')).statusCode, 400);
    assert.equal((await post([{ name: 'power-update', server_uuid: a.uuid, tag: 'POWER_OFF' }], '2.76')).statusCode, 200);
    for (const events of [[], [{ name: 'network-changed' }], [{ name: 'network-changed', server_uuid: 'not-a-uuid' }],
      [{ name: 'network-changed', server_uuid: a.uuid, status: 'done' }], [{ name: 'network-changed', server_uuid: a.uuid, extra: 1 }],
      [{ name: 'network-changed', server_uuid: a.uuid, tag: 'x'.repeat(256) }], 'nope']) {
      const bad = await post(events);
      assert.equal(bad.statusCode, 400, `${JSON.stringify(events)} → ${bad.body}`);
    }
    res = await post([{ name: 'network-changed', server_uuid: 'not-a-uuid' }]);
    assert.equal(res.json().badRequest.message, "Invalid input for field/attribute server_uuid. Value: not-a-uuid. 'not-a-uuid' is not a 'uuid'");
    await infoCacheRefreshesSettled();
    await waitFor(2);
  });

  it('is for admins (and services) only', async () => {
    const a = await server({ host: 'host-a' });
    const res = await post([{ name: 'network-vif-plugged', server_uuid: a.uuid }], '2.1', h.alice.token);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().forbidden.message, "Policy doesn't allow os_compute_api:os-server-external-events:create to be performed.");
    await waitFor(0);
  });

  it('network-changed refreshes the info cache from the server\'s ports, keeping order and preserve flags', async () => {
    const a = await server({ host: 'host-a' });
    const old: VifInfo = {
      id: PORT_B, address: 'fa:16:3e:00:00:02', type: 'bridge', devname: `tap${PORT_B.slice(0, 11)}`, active: false, preserve_on_delete: false,
      network: { id: 'net-2', label: 'public', mtu: 1450, subnets: [] },
    };
    await h.db.insertInto('nova_instance_info_cache').values({ instance_uuid: a.uuid, network_info: JSON.stringify([old]), updated_at: a.created_at }).execute();
    ports[a.uuid] = [port(PORT_A, 'net-1', 'sub-1', '10.0.0.5', 'fa:16:3e:00:00:01'), port(PORT_B, 'net-2', 'sub-2', '172.24.4.7', 'fa:16:3e:00:00:02')];
    const res = await post([{ name: 'network-changed', server_uuid: a.uuid, tag: PORT_A }]);
    assert.equal(res.statusCode, 200, res.body);
    await infoCacheRefreshesSettled();
    const row = await h.db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', a.uuid).executeTakeFirstOrThrow();
    const vifs = JSON.parse(row.network_info) as VifInfo[];
    assert.deepEqual(vifs.map((v) => [v.id, v.network.label, v.preserve_on_delete, v.active]), [[PORT_B, 'public', false, true], [PORT_A, 'private', true, true]]);
    assert.deepEqual(vifs[1], {
      id: PORT_A, address: 'fa:16:3e:00:00:01', type: 'bridge', devname: `tap${PORT_A.slice(0, 11)}`, active: true, preserve_on_delete: true,
      network: {
        id: 'net-1', label: 'private', mtu: 1450,
        subnets: [{ cidr: '10.0.0.0/24', version: 4, gateway: '10.0.0.1', dns: ['10.0.0.2'], ips: [{ address: '10.0.0.5', type: 'fixed', floating_ips: [{ address: '172.24.4.50' }] }] }],
      },
    });
    // The server view's addresses come from it: GET /ips shows the refreshed cache.
    const ips = await h.request('GET', `/v2.1/servers/${a.uuid}/ips`, { token: h.alice.token });
    assert.deepEqual(ips.json().addresses, {
      public: [{ version: 4, addr: '172.24.4.7' }],
      private: [{ version: 4, addr: '10.0.0.5' }, { version: 4, addr: '172.24.4.50' }],
    });
    await waitFor(1);
  });
});

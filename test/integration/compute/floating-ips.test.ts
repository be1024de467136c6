// Nova's floating IP proxy over the real network service (compute-world): the pools (external
// networks), allocation from the default or a named pool, list/show/release in Nova's shape, the
// addFloatingIp / removeFloatingIp actions (association moved between servers, the info cache
// refreshed, Nova's 400/404/409 refusals), and the microversion limits (2.35; actions 2.43).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startComputeWorld, type ComputeWorld, type WorldNetwork } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { refreshInfoCache } from '../../../src/compute/domain/servers/vif-info.js';
import { insertInstance } from './server-fixtures.js';

describe('compute floating IPs (os-floating-ips, os-floating-ip-pools, add/removeFloatingIp)', () => {
  let w: ComputeWorld;
  let t: Tenant;
  let pub: WorldNetwork;
  let priv: WorldNetwork;
  const missing = '3c8e2f4a-1b5d-4e6f-9a7b-8c9d0e1f2a3b';

  const req = (method: string, url: string, body?: unknown, version = '2.1', token = t.token) =>
    w.compute.request(method, `/v2.1${url}`, { token, version, ...(body !== undefined ? { body } : {}) });
  const networkCall = async (method: string, url: string, body: unknown, token = t.token) => {
    const res = await w.network.app.inject({ method: method as 'POST', url, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const allocate = async (body?: unknown) => {
    const res = await req('POST', '/os-floating-ips', body);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().floating_ip as { id: string; ip: string; pool: string; fixed_ip: string | null; instance_id: string | null };
  };
  /** An ACTIVE server of alice's with one port on her network, its info cache written. */
  const server = async (): Promise<{ vm: InstanceRow; fixed: string }> => {
    const vm = await insertInstance(w.compute.db, { project_id: t.projectId, user_id: t.userId });
    const port = await w.clients.network.createPort({ network_id: priv.network.id, project_id: t.projectId, device_id: vm.uuid, device_owner: 'compute:nova' });
    await refreshInfoCache(w.compute.db, w.clients.network, vm.uuid);
    return { vm, fixed: port.fixed_ips[0]!.ip_address };
  };
  const action = (uuid: string, body: unknown, version = '2.1') => req('POST', `/servers/${uuid}/action`, body, version);
  const addresses = async (uuid: string) => (await req('GET', `/servers/${uuid}/ips`)).json().addresses as Record<string, { addr: string }[]>;

  before(async () => {
    w = await startComputeWorld();
    t = w.compute.alice;
    pub = await w.createNetwork(w.compute.adminToken, 'public', { external: true, cidr: '172.24.4.0/24' });
    priv = await w.createNetwork(t.token, 'fip-net');
    const router = (await networkCall('POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: pub.network.id } } })).router;
    await networkCall('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: priv.subnet.id });
  });
  after(async () => {
    await w?.close();
  });

  it('lists the external networks as pools', async () => {
    const res = await req('GET', '/os-floating-ip-pools');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { floating_ip_pools: [{ name: 'public' }] });
    assert.equal((await req('GET', '/os-floating-ip-pools', undefined, '2.36')).statusCode, 404);
  });

  it('allocates from the default pool or a named one, lists, shows and releases in Nova\'s shape', async () => {
    const fip = await allocate();
    assert.deepEqual(Object.keys(fip).sort(), ['fixed_ip', 'id', 'instance_id', 'ip', 'pool']);
    assert.deepEqual({ ...fip, id: 'x', ip: 'y' }, { id: 'x', ip: 'y', pool: 'public', fixed_ip: null, instance_id: null });
    assert.match(fip.ip, /^172\.24\.4\./);
    const named = await allocate({ pool: 'public' });
    const byId = await allocate({ pool: pub.network.id });
    const shown = await req('GET', `/os-floating-ips/${fip.id}`);
    assert.equal(shown.statusCode, 200, shown.body);
    assert.deepEqual(shown.json().floating_ip, fip);
    const listed = (await req('GET', '/os-floating-ips')).json().floating_ips;
    for (const f of [fip, named, byId]) assert.deepEqual(listed.find((l: { id: string }) => l.id === f.id), f);
    assert.deepEqual((await req('GET', '/os-floating-ips', undefined, '2.1', w.compute.bob.token)).json(), { floating_ips: [] }, 'only the caller\'s');

    for (const f of [fip, named, byId]) assert.equal((await req('DELETE', `/os-floating-ips/${f.id}`)).statusCode, 202);
    assert.equal((await req('GET', `/os-floating-ips/${fip.id}`)).statusCode, 404);
  });

  it('answers 404 for unknown floating IPs and pools, 400 for a bad body, 404 after 2.35', async () => {
    for (const id of [missing, 'not-a-uuid']) {
      const shown = await req('GET', `/os-floating-ips/${id}`);
      assert.equal(shown.statusCode, 404, shown.body);
      assert.match(shown.json().itemNotFound.message, /Floating IP not found for ID/);
      assert.equal((await req('DELETE', `/os-floating-ips/${id}`)).statusCode, 404);
    }
    const pool = await req('POST', '/os-floating-ips', { pool: 'non_exist_pool' });
    assert.equal(pool.statusCode, 404, pool.body);
    assert.equal(pool.json().itemNotFound.message, 'Floating IP pool not found.');
    assert.equal((await req('POST', '/os-floating-ips', { pool: 5 })).statusCode, 400);
    for (const [method, url] of [['GET', '/os-floating-ips'], ['POST', '/os-floating-ips'], ['GET', `/os-floating-ips/${missing}`], ['DELETE', `/os-floating-ips/${missing}`]] as const) {
      assert.equal((await req(method, url, method === 'POST' ? {} : undefined, '2.36')).statusCode, 404, `${method} ${url}`);
    }
  });

  it('associates with a server, shows it, moves it to another server and dissociates it', async () => {
    const { vm, fixed } = await server();
    const other = await server();
    const fip = await allocate();
    const add = await action(vm.uuid, { addFloatingIp: { address: fip.ip } });
    assert.equal(add.statusCode, 202, add.body);
    const shown = (await req('GET', `/os-floating-ips/${fip.id}`)).json().floating_ip;
    assert.deepEqual([shown.instance_id, shown.fixed_ip], [vm.uuid, fixed]);
    assert.deepEqual((await addresses(vm.uuid))['fip-net']!.map((a) => a.addr), [fixed, fip.ip], 'the info cache was refreshed');

    // Nova moves an associated floating IP; the first server no longer has it.
    assert.equal((await action(other.vm.uuid, { addFloatingIp: { address: fip.ip, fixed_address: other.fixed } })).statusCode, 202);
    assert.equal((await req('GET', `/os-floating-ips/${fip.id}`)).json().floating_ip.instance_id, other.vm.uuid);
    assert.deepEqual((await addresses(vm.uuid))['fip-net']!.map((a) => a.addr), [fixed]);
    const stale = await action(vm.uuid, { removeFloatingIp: { address: fip.ip } });
    assert.equal(stale.statusCode, 409, stale.body);
    assert.match(stale.json().conflictingRequest.message, /is not associated with instance/);

    assert.equal((await action(other.vm.uuid, { removeFloatingIp: { address: fip.ip } })).statusCode, 202);
    assert.equal((await req('GET', `/os-floating-ips/${fip.id}`)).json().floating_ip.instance_id, null);
    assert.deepEqual((await addresses(other.vm.uuid))['fip-net']!.map((a) => a.addr), [other.fixed]);
    assert.equal((await action(other.vm.uuid, { removeFloatingIp: { address: fip.ip } })).statusCode, 409, 'not associated any more');

    // Released while associated: the server's addresses lose it.
    assert.equal((await action(vm.uuid, { addFloatingIp: { address: fip.ip } })).statusCode, 202);
    assert.equal((await req('DELETE', `/os-floating-ips/${fip.id}`)).statusCode, 202);
    assert.deepEqual((await addresses(vm.uuid))['fip-net']!.map((a) => a.addr), [fixed]);
  });

  it('refuses associations as Nova does', async () => {
    const { vm } = await server();
    const fip = await allocate();
    const expect = async (body: unknown, status: number, fault: string, message?: RegExp, uuid = vm.uuid, version = '2.1') => {
      const res = await action(uuid, body, version);
      assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.json()[fault].code, status);
      if (message) assert.match(res.json()[fault].message, message);
    };
    await expect({ addFloatingIp: { address: '0.0.0.0' } }, 404, 'itemNotFound', /floating IP not found/);
    await expect({ removeFloatingIp: { address: '0.0.0.0' } }, 404, 'itemNotFound', /Floating IP not found for address/);
    await expect({ addFloatingIp: { address: '' } }, 400, 'badRequest');
    await expect({ addFloatingIp: {} }, 400, 'badRequest');
    await expect({ addFloatingIp: { address: fip.ip, extra: 1 } }, 400, 'badRequest');
    await expect({ addFloatingIp: { address: fip.ip, fixed_address: '10.99.99.99' } }, 400, 'badRequest', /Specified fixed address not assigned/);
    await expect({ addFloatingIp: { address: fip.ip } }, 404, 'itemNotFound', /could not be found/, missing);
    const bare = await insertInstance(w.compute.db, { project_id: t.projectId, user_id: t.userId });
    await expect({ addFloatingIp: { address: fip.ip } }, 400, 'badRequest', /No fixed IPs associated to instance/, bare.uuid);
    await expect({ addFloatingIp: { address: fip.ip } }, 404, 'itemNotFound', undefined, vm.uuid, '2.44');
    await expect({ removeFloatingIp: { address: fip.ip } }, 404, 'itemNotFound', undefined, vm.uuid, '2.44');
    assert.equal((await action(vm.uuid, { addFloatingIp: { address: fip.ip } }, '2.43')).statusCode, 202, 'still there at 2.43');
    assert.equal((await req('GET', `/os-floating-ips/${fip.id}`)).json().floating_ip.instance_id, vm.uuid);
  });

  it('has no default pool among several external networks unless one is flagged default', async () => {
    const second = await w.createNetwork(w.compute.adminToken, 'public2', { external: true, cidr: '172.25.4.0/24' });
    const res = await req('POST', '/os-floating-ips');
    assert.equal(res.statusCode, 404, res.body);
    assert.equal((await req('POST', '/os-floating-ips', { pool: 'public2' })).statusCode, 200);
    await networkCall('PUT', `/v2.0/networks/${second.network.id}`, { network: { is_default: true } }, w.compute.adminToken);
    assert.equal((await allocate()).pool, 'public2', 'the external network flagged default');
    assert.deepEqual((await req('GET', '/os-floating-ip-pools')).json().floating_ip_pools.map((p: { name: string }) => p.name).sort(), ['public', 'public2']);
  });

  it('answers 403 when the project\'s floating IP quota is used up', async () => {
    await networkCall('PUT', `/v2.0/quotas/${t.projectId}`, { quota: { floatingip: 0 } }, w.compute.adminToken);
    const res = await req('POST', '/os-floating-ips', { pool: 'public' });
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(res.json().forbidden.message, 'IP allocation over quota in pool public.');
  });
});

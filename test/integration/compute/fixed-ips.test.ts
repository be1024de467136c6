// The addFixedIp / removeFixedIp server actions (multinic, up to 2.43) over the real network
// service (compute-world): one more address on the server's port on the network, shown in its
// addresses, then taken off again (Tempest's test_add_remove_fixed_ip); and Nova's refusals.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startComputeWorld, type ComputeWorld, type WorldNetwork } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';
import { refreshInfoCache } from '../../../src/compute/domain/servers/vif-info.js';
import { insertInstance } from './server-fixtures.js';

describe('compute fixed IPs (addFixedIp / removeFixedIp)', () => {
  let w: ComputeWorld;
  let t: Tenant;
  let net: WorldNetwork;
  const missing = '3c8e2f4a-1b5d-4e6f-9a7b-8c9d0e1f2a3b';

  const action = (uuid: string, body: unknown, version = '2.1') =>
    w.compute.request('POST', `/v2.1/servers/${uuid}/action`, { token: t.token, version, body });
  const ips = async (uuid: string) =>
    ((await w.compute.request('GET', `/v2.1/servers/${uuid}/ips`, { token: t.token })).json().addresses['multi-net'] as { addr: string }[]).map((a) => a.addr);
  const server = async (over: Record<string, unknown> = {}) => {
    const vm = await insertInstance(w.compute.db, { project_id: t.projectId, user_id: t.userId, ...over });
    const port = await w.clients.network.createPort({ network_id: net.network.id, project_id: t.projectId, device_id: vm.uuid, device_owner: 'compute:nova' });
    await refreshInfoCache(w.compute.db, w.clients.network, vm.uuid);
    return { vm, port };
  };
  const refused = async (uuid: string, body: unknown, status: number, fault: string, message?: RegExp, version = '2.1') => {
    const res = await action(uuid, body, version);
    assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
    assert.equal(res.json()[fault].code, status);
    if (message) assert.match(res.json()[fault].message, message);
  };

  before(async () => {
    w = await startComputeWorld();
    t = w.compute.alice;
    net = await w.createNetwork(t.token, 'multi-net');
  });
  after(async () => {
    await w?.close();
  });

  it('adds an address on the server\'s port on the network and removes it again', async () => {
    const { vm, port } = await server();
    const first = port.fixed_ips[0]!.ip_address;
    assert.deepEqual(await ips(vm.uuid), [first]);
    const add = await action(vm.uuid, { addFixedIp: { networkId: net.network.id } });
    assert.equal(add.statusCode, 202, add.body);
    const after = await ips(vm.uuid);
    assert.equal(after.length, 2, JSON.stringify(after));
    const added = after.find((a) => a !== first)!;
    assert.deepEqual((await w.clients.network.showPort(port.id)).fixed_ips.map((ip) => ip.ip_address).sort(), [first, added].sort(), 'the same port');

    const remove = await action(vm.uuid, { removeFixedIp: { address: added } });
    assert.equal(remove.statusCode, 202, remove.body);
    assert.deepEqual(await ips(vm.uuid), [first]);
    assert.deepEqual((await w.clients.network.showPort(port.id)).fixed_ips.map((ip) => ip.ip_address), [first]);
  });

  it('refuses as Nova does', async () => {
    const { vm } = await server();
    const other = await w.createNetwork(t.token, 'elsewhere');
    await refused(vm.uuid, { addFixedIp: { networkId: other.network.id } }, 400, 'badRequest', /Network could not be found for instance/);
    await refused(vm.uuid, { addFixedIp: { networkId: missing } }, 400, 'badRequest', /Network could not be found for instance/);
    await refused(vm.uuid, { addFixedIp: { networkId: ' bad id' } }, 400, 'badRequest');
    await refused(vm.uuid, { addFixedIp: {} }, 400, 'badRequest');
    await refused(vm.uuid, { removeFixedIp: { address: '10.250.0.9' } }, 400, 'badRequest', /does not have fixed IP '10.250.0.9'/);
    await refused(vm.uuid, { removeFixedIp: { address: 'nope' } }, 400, 'badRequest');
    await refused(missing, { addFixedIp: { networkId: net.network.id } }, 404, 'itemNotFound');
    await refused(vm.uuid, { addFixedIp: { networkId: net.network.id } }, 404, 'itemNotFound', undefined, '2.44');
    await refused(vm.uuid, { removeFixedIp: { address: '10.250.0.9' } }, 404, 'itemNotFound', undefined, '2.44');
    const locked = await server({ locked: 1, locked_by: 'owner' });
    await refused(locked.vm.uuid, { addFixedIp: { networkId: net.network.id } }, 409, 'conflictingRequest', /is locked/);
    assert.equal((await w.clients.network.showPort(locked.port.id)).fixed_ips.length, 1, 'nothing changed');
  });
});

// Nova's security group API over the real network service (compute-world): the proxy's create,
// list, show, update and delete in Nova's shape (ingress rules only, tenant_id, names kept with
// their spaces), its 404s and 400s (unknown group, the default group, a group in use, bad names),
// its end at 2.35; a server's groups and addSecurityGroup / removeSecurityGroup on its ports.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../src/bus/index.js';
import { startComputeWorld, type ComputeWorld, type WorldNetwork } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';
import { insertInstance } from './server-fixtures.js';

describe('compute security groups (os-security-groups)', () => {
  let w: ComputeWorld;
  let bus: MemoryBus;
  let t: Tenant;
  let net: WorldNetwork;

  const req = (method: string, url: string, body?: unknown, version = '2.1') =>
    w.compute.request(method, `/v2.1${url}`, { token: t.token, version, ...(body !== undefined ? { body } : {}) });
  const create = async (name: string, description = 'd') => {
    const res = await req('POST', '/os-security-groups', { security_group: { name, description } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().security_group;
  };

  before(async () => {
    bus = new MemoryBus();
    w = await startComputeWorld({ bus });
    t = w.compute.alice;
    net = await w.createNetwork(t.token, 'sg-net');
  });
  after(async () => {
    await w?.close();
    await bus?.close();
  });

  it('creates, lists, shows, updates and deletes groups in Nova\'s shape', async () => {
    const sg = await create(' web servers ', 'for the web');
    assert.deepEqual(Object.keys(sg).sort(), ['description', 'id', 'name', 'rules', 'tenant_id']);
    assert.equal(sg.name, ' web servers ');
    assert.equal(sg.tenant_id, t.projectId);
    assert.deepEqual(sg.rules, [], 'a new group has only egress rules, which Nova does not show');
    const listed = (await req('GET', '/os-security-groups')).json().security_groups;
    assert.deepEqual(listed.find((g: { id: string }) => g.id === sg.id), sg);
    const def = listed.find((g: { name: string }) => g.name === 'default');
    assert.ok(def, 'the project\'s default group is listed');
    for (const rule of def.rules) {
      assert.equal(rule.parent_group_id, def.id);
      assert.deepEqual(rule.group, { name: 'default', tenant_id: t.projectId });
      assert.deepEqual(rule.ip_range, {});
    }
    assert.deepEqual((await req('GET', `/os-security-groups/${sg.id}`)).json().security_group, sg);

    const updated = await req('PUT', `/os-security-groups/${sg.id}`, { security_group: { name: 'renamed', description: 'new' } });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.deepEqual([updated.json().security_group.name, updated.json().security_group.description], ['renamed', 'new']);
    assert.equal((await req('DELETE', `/os-security-groups/${sg.id}`)).statusCode, 202);
    assert.equal((await req('GET', `/os-security-groups/${sg.id}`)).statusCode, 404);
  });

  it('answers Nova\'s 404s and 400s, and 404 for the proxy after 2.35', async () => {
    const missing = '3c8e2f4a-1b5d-4e6f-9a7b-8c9d0e1f2a3b';
    assert.equal((await req('GET', `/os-security-groups/${missing}`)).statusCode, 404);
    assert.equal((await req('DELETE', `/os-security-groups/${missing}`)).statusCode, 404);
    assert.equal((await req('PUT', `/os-security-groups/${missing}`, { security_group: { name: 'x', description: 'y' } })).statusCode, 404);
    assert.equal((await req('DELETE', '/os-security-groups/')).statusCode, 404);
    const def = (await req('GET', '/os-security-groups')).json().security_groups.find((g: { name: string }) => g.name === 'default');
    assert.equal((await req('DELETE', `/os-security-groups/${def.id}`)).statusCode, 400);
    for (const group of [{ name: '', description: 'd' }, { name: '   ', description: 'd' }, { name: 'x'.repeat(256), description: 'd' }, { name: 5, description: 'd' }, { name: 'n' }]) {
      const res = await req('POST', '/os-security-groups', { security_group: group });
      assert.equal(res.statusCode, 400, `${JSON.stringify(group)}: ${res.body}`);
    }
    assert.equal((await req('POST', '/os-security-groups', { nothing: {} })).statusCode, 400);
    assert.equal((await req('GET', '/os-security-groups', undefined, '2.36')).statusCode, 404);
  });

  it('adds a group to every port of a server, lists it, refuses to delete it in use, and removes it', async () => {
    const vm = await insertInstance(w.compute.db, { project_id: t.projectId, user_id: t.userId });
    const port = await w.clients.network.createPort({ network_id: net.network.id, project_id: t.projectId, device_id: vm.uuid, device_owner: 'compute:nova' });
    const sg = await create('app');
    const add = await req('POST', `/servers/${vm.uuid}/action`, { addSecurityGroup: { name: 'app' } });
    assert.equal(add.statusCode, 202, add.body);
    const groups = (await req('GET', `/servers/${vm.uuid}/os-security-groups`)).json().security_groups.map((g: { name: string }) => g.name).sort();
    assert.deepEqual(groups, ['app', 'default']);
    assert.ok((await w.clients.network.showPort(port.id)).security_groups?.includes(sg.id));
    const inUse = await req('DELETE', `/os-security-groups/${sg.id}`);
    assert.equal(inUse.statusCode, 400, inUse.body);
    assert.equal((await req('POST', `/servers/${vm.uuid}/action`, { addSecurityGroup: { name: 'nope' } })).statusCode, 404);

    assert.equal((await req('POST', `/servers/${vm.uuid}/action`, { removeSecurityGroup: { name: 'app' } })).statusCode, 202);
    assert.equal((await w.clients.network.showPort(port.id)).security_groups?.includes(sg.id), false);
    assert.equal((await req('POST', `/servers/${vm.uuid}/action`, { removeSecurityGroup: { name: 'app' } })).statusCode, 400);
    assert.equal((await req('DELETE', `/os-security-groups/${sg.id}`)).statusCode, 202);
  });

  it('shows the ports\' groups in the server view, and no security_groups once every group is removed', async () => {
    const vm = await insertInstance(w.compute.db, { project_id: t.projectId, user_id: t.userId });
    const port = await w.clients.network.createPort({ network_id: net.network.id, project_id: t.projectId, device_id: vm.uuid, device_owner: 'compute:nova' });
    const now = new Date().toISOString();
    await w.compute.db.insertInto('nova_request_spec').values({ instance_uuid: vm.uuid, spec: JSON.stringify({ security_groups: ['default'] }), created_at: now, updated_at: now }).execute();
    await w.compute.db.insertInto('nova_instance_info_cache').values({
      instance_uuid: vm.uuid, updated_at: now,
      network_info: JSON.stringify([{ id: port.id, address: port.mac_address, network: { id: net.network.id, label: 'sg-net', subnets: [] } }]),
    }).execute();
    const groupsShown = async () => (await req('GET', `/servers/${vm.uuid}`)).json().server.security_groups as { name: string }[] | undefined;
    assert.deepEqual(await groupsShown(), [{ name: 'default' }]);
    await create('web');
    assert.equal((await req('POST', `/servers/${vm.uuid}/action`, { addSecurityGroup: { name: 'web' } })).statusCode, 202);
    assert.deepEqual((await groupsShown())?.map((g) => g.name).sort(), ['default', 'web']);
    for (const name of ['web', 'default']) assert.equal((await req('POST', `/servers/${vm.uuid}/action`, { removeSecurityGroup: { name } })).statusCode, 202);
    assert.equal(await groupsShown(), undefined);
  });
});

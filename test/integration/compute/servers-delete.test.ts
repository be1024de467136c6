// DELETE /servers/{id} against the real network and Placement services (compute world) and a memory
// bus: a never-scheduled server and one on a dead host are deleted by the API (row soft-deleted,
// allocations gone, agent-made ports deleted and the user's own unbound); one on a live host is
// handed to its agent with terminate_instance, once; locks and other projects are refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createBus, type Bus, type BusArgs } from '../../../src/bus/index.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { novaDefaults } from '../../../src/compute/policy/index.js';
import { Enforcer, type Credentials } from '../../../src/core/policy/index.js';
import { startComputeWorld, type ComputeWorld } from '../../support/compute-world.js';

const T0 = '2026-01-01T00:00:00Z';
let nextId = 7000;

function row(over: Partial<InstanceRow> & { project_id: string; user_id: string }): InstanceRow {
  return {
    uuid: randomUUID(), id: nextId++, display_name: 'vm', display_description: null, hostname: 'vm',
    vm_state: 'active', task_state: null, power_state: 1, host: null, node: null, compute_node_uuid: null,
    availability_zone: null, requested_availability_zone: null,
    flavor: JSON.stringify({ id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0 }),
    vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0, image_ref: randomUUID(),
    key_name: null, key_data: null, user_data: null, config_drive: '', access_ip_v4: null, access_ip_v6: null,
    locked: 0, locked_by: null, locked_reason: null, reservation_id: 'r-bbbbbbbb', launch_index: 0, root_device_name: null,
    progress: 0, system_metadata: '{}', created_at: T0, updated_at: T0, scheduled_at: null, launched_at: null,
    terminated_at: null, deleted: 0, deleted_at: null, ...over,
  };
}

describe('servers: delete', () => {
  let world: ComputeWorld;
  let bus: Bus;
  const terminated: BusArgs[] = [];
  const provider = randomUUID();

  const del = async (uuid: string, token: string): Promise<{ status: number; body: any }> => {
    const res = await world.compute.request('DELETE', `/v2.1/servers/${uuid}`, { token });
    return { status: res.statusCode, body: res.body === '' ? undefined : res.json() };
  };
  const stored = (uuid: string): Promise<InstanceRow> =>
    world.compute.db.selectFrom('nova_instance').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
  const service = async (host: string, lastSeenUp: string): Promise<void> => {
    await world.compute.db.insertInto('nova_service').values({
      id: nextId++, uuid: randomUUID(), host, binary: 'nova-compute', topic: 'compute', report_count: 1, disabled: 0, disabled_reason: null,
      forced_down: 0, last_seen_up: lastSeenUp, version: 66, created_at: lastSeenUp, updated_at: lastSeenUp,
    }).execute();
  };
  const claim = async (inst: InstanceRow): Promise<void> => {
    await world.clients.placement.claimResources(inst.uuid, { [provider]: { resources: { VCPU: 1, MEMORY_MB: 512 } } }, inst.project_id, inst.user_id);
    assert.ok(Object.keys((await world.clients.placement.getAllocations(inst.uuid)).allocations).length > 0);
  };
  const alice = (): { project_id: string; user_id: string } => ({ project_id: world.compute.alice.projectId, user_id: world.compute.alice.userId });

  before(async () => {
    bus = await createBus({ driver: 'memory' });
    world = await startComputeWorld({ bus });
    await bus.serve('compute', 'live-host', { terminate_instance: async (args) => { terminated.push(args); return undefined; } });
    await world.clients.placement.ensureResourceProvider(provider, 'live-host');
    await world.clients.placement.setInventories(provider, { VCPU: { total: 16 }, MEMORY_MB: { total: 8192 } });
    await service('live-host', new Date().toISOString());
    await service('dead-host', '2026-01-01T00:00:00Z');
  });
  after(async () => {
    await world.close();
    await bus.close();
  });

  it('deletes a never-scheduled server at once: no row visible, no allocation, action finished', async () => {
    const inst = row({ ...alice(), vm_state: 'building', task_state: 'scheduling', power_state: 0 });
    await world.compute.db.insertInto('nova_instance').values(inst).execute();
    await world.compute.db.insertInto('nova_instance_tag').values({ instance_uuid: inst.uuid, tag: 'x' }).execute();
    const group = await world.compute.request('POST', '/v2.1/os-server-groups', { token: world.compute.alice.token, body: { server_group: { name: 'del-g', policies: ['affinity'] } } });
    const groupId = group.json().server_group.id as string;
    const groupRow = await world.compute.db.selectFrom('nova_server_group').select('id').where('uuid', '=', groupId).executeTakeFirstOrThrow();
    await world.compute.db.insertInto('nova_server_group_member').values({ group_id: groupRow.id, instance_uuid: inst.uuid }).execute();
    await claim(inst);

    const res = await del(inst.uuid, world.compute.alice.token);
    assert.equal(res.status, 204);
    assert.equal(res.body, undefined);
    assert.equal((await world.compute.request('GET', `/v2.1/servers/${inst.uuid}`, { token: world.compute.alice.token })).statusCode, 404);
    const list = (await world.compute.request('GET', '/v2.1/servers', { token: world.compute.alice.token })).json();
    assert.ok(!list.servers.some((s: { id: string }) => s.id === inst.uuid));
    const after = await stored(inst.uuid);
    assert.equal(after.deleted, 1);
    assert.equal(after.vm_state, 'deleted');
    assert.equal(after.task_state, null);
    assert.ok(after.terminated_at !== null && after.deleted_at !== null);
    assert.deepEqual((await world.clients.placement.getAllocations(inst.uuid)).allocations, {});
    // Nova's instance_destroy: the server leaves its group (members, and the group's quota count).
    const shownGroup = (await world.compute.request('GET', `/v2.1/os-server-groups/${groupId}`, { token: world.compute.alice.token })).json().server_group;
    assert.deepEqual(shownGroup.members, []);
    const actions = await world.compute.db.selectFrom('nova_instance_action').selectAll().where('instance_uuid', '=', inst.uuid).execute();
    assert.equal(actions.length, 1);
    assert.equal(actions[0]!.action, 'delete');
    assert.equal(actions[0]!.user_id, world.compute.alice.userId);
    assert.ok(actions[0]!.finish_time !== null);
    assert.equal((await world.compute.db.selectFrom('nova_instance_tag').selectAll().where('instance_uuid', '=', inst.uuid).execute()).length, 0);
    // Gone is gone: a second delete is a 404.
    assert.equal((await del(inst.uuid, world.compute.alice.token)).status, 404);
    // Admins still see it with deleted=true.
    const deleted = (await world.compute.request('GET', `/v2.1/servers/detail?all_tenants=1&deleted=true&uuid=${inst.uuid}`)).json();
    assert.equal(deleted.servers[0]?.status, 'DELETED');
  });

  it('casts terminate_instance to a live host once and answers 204 again while deleting', async () => {
    const inst = row({ ...alice(), host: 'live-host', node: 'live-host' });
    await world.compute.db.insertInto('nova_instance').values(inst).execute();
    await claim(inst);
    const before = terminated.length;

    assert.equal((await del(inst.uuid, world.compute.alice.token)).status, 204);
    for (let i = 0; i < 50 && terminated.length === before; i += 1) await new Promise((r) => setTimeout(r, 10));
    assert.equal(terminated.length, before + 1);
    const args = terminated[terminated.length - 1]!;
    assert.equal(args.uuid, inst.uuid);
    assert.equal(typeof args.request_id, 'string');
    const mid = await stored(inst.uuid);
    assert.equal(mid.task_state, 'deleting');
    assert.equal(mid.deleted, 0, 'the agent finishes the delete');
    assert.ok(Object.keys((await world.clients.placement.getAllocations(inst.uuid)).allocations).length > 0, 'the agent releases the claim');
    const action = await world.compute.db.selectFrom('nova_instance_action').selectAll().where('instance_uuid', '=', inst.uuid).execute();
    assert.deepEqual(action.map((a) => [a.action, a.request_id]), [['delete', args.request_id]]);

    assert.equal((await del(inst.uuid, world.compute.alice.token)).status, 204);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(terminated.length, before + 1, 'no second cast');
    const shown = (await world.compute.request('GET', `/v2.1/servers/${inst.uuid}`, { token: world.compute.alice.token })).json().server;
    assert.equal(shown['OS-EXT-STS:task_state'], 'deleting');
    await world.clients.placement.deleteAllocations(inst.uuid);
  });

  it('deletes locally when the host\'s service is down: agent ports deleted, the user\'s port unbound', async () => {
    const { network, subnet } = await world.createNetwork(world.compute.alice.token, 'del-net');
    const inst = row({ ...alice(), host: 'dead-host', node: 'dead-host', availability_zone: 'nova' });
    const made = await world.clients.network.createPort({
      network_id: network.id, project_id: inst.project_id, device_id: inst.uuid, device_owner: 'compute:nova', 'binding:host_id': 'dead-host',
    });
    const own = await world.clients.network.createPort({
      network_id: network.id, project_id: inst.project_id, device_id: inst.uuid, device_owner: 'compute:nova', 'binding:host_id': 'dead-host',
    });
    const other = await world.clients.network.createPort({ network_id: network.id, project_id: inst.project_id, device_id: randomUUID(), device_owner: 'compute:nova' });
    const vif = (portId: string, preserve: boolean, ip: string): Record<string, unknown> => ({
      id: portId, address: 'fa:16:3e:00:00:02', type: 'bridge', devname: `tap${portId.slice(0, 11)}`, active: true, preserve_on_delete: preserve,
      network: { id: network.id, label: 'del-net', mtu: 1450, subnets: [{ cidr: subnet.cidr, version: 4, gateway: null, dns: [], ips: [{ address: ip, type: 'fixed', floating_ips: [] }] }] },
    });
    await world.compute.db.insertInto('nova_instance').values(inst).execute();
    await world.compute.db.insertInto('nova_instance_info_cache').values({
      instance_uuid: inst.uuid, network_info: JSON.stringify([vif(made.id, false, made.fixed_ips[0]!.ip_address), vif(own.id, true, own.fixed_ips[0]!.ip_address)]), updated_at: T0,
    }).execute();
    await claim(inst);

    assert.equal((await del(inst.uuid, world.compute.alice.token)).status, 204);
    assert.equal(await world.clients.network.findPort(made.id), undefined, 'the port the agent made is deleted');
    const kept = await world.clients.network.showPort(own.id);
    assert.equal(kept.device_id, '');
    assert.equal(kept.device_owner, '');
    assert.equal(kept['binding:host_id'], '');
    assert.equal((await world.clients.network.showPort(other.id)).device_id, other.device_id, 'other servers\' ports untouched');
    assert.equal((await stored(inst.uuid)).deleted, 1);
    assert.deepEqual((await world.clients.placement.getAllocations(inst.uuid)).allocations, {});
    await world.clients.network.deletePort(own.id);
    await world.clients.network.deletePort(other.id);
  });

  it('refuses a locked server to its owner (409) but not to an admin, and hides other projects\' (404)', async () => {
    const inst = row({ ...alice(), locked: 1, locked_by: 'owner' });
    await world.compute.db.insertInto('nova_instance').values(inst).execute();
    const refused = await del(inst.uuid, world.compute.alice.token);
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.body, { conflictingRequest: { code: 409, message: `Instance ${inst.uuid} is locked` } });
    assert.equal((await stored(inst.uuid)).deleted, 0);
    const other = await del(inst.uuid, world.compute.bob.token);
    assert.equal(other.status, 404);
    assert.equal(other.body.itemNotFound.message, `Instance ${inst.uuid} could not be found.`);
    assert.equal((await del(randomUUID(), world.compute.alice.token)).status, 404);
    assert.equal((await del(inst.uuid, world.compute.adminToken)).status, 204);
    assert.equal((await stored(inst.uuid)).deleted, 1);
  });

  it('follows Nova\'s defaults: readers read, members delete (legacy admin_or_owner while scope is not enforced)', async () => {
    const reader = await world.compute.tenant('reader');
    const inst = row({ project_id: reader.projectId, user_id: reader.userId });
    await world.compute.db.insertInto('nova_instance').values(inst).execute();
    assert.equal((await world.compute.request('GET', `/v2.1/servers/${inst.uuid}`, { token: reader.token })).statusCode, 200);
    // The new defaults alone (enforce_new_defaults): a reader may show but not delete.
    const strict = new Enforcer(novaDefaults, { enforceScope: true });
    const creds = (role: string): Credentials => ({ user_id: 'u', project_id: 'p', roles: [role], is_admin: false });
    assert.equal(strict.authorize('os_compute_api:servers:show', { project_id: 'p' }, creds('reader')), true);
    assert.equal(strict.authorize('os_compute_api:servers:delete', { project_id: 'p', user_id: 'u' }, creds('reader')), false);
    assert.equal(strict.authorize('os_compute_api:servers:delete', { project_id: 'p', user_id: 'u' }, creds('member')), true);
    assert.equal(strict.authorize('os_compute_api:servers:delete', { project_id: 'other', user_id: 'u' }, creds('member')), false);
    assert.equal(strict.authorize('os_compute_api:os-extended-server-attributes', { project_id: 'p' }, creds('member')), false);
    assert.equal(strict.authorize('os_compute_api:servers:index:get_all_tenants', {}, { ...creds('admin'), is_admin: true }), true);
    // Without scope enforcement the pre-RBAC admin_or_owner is OR-ed in, as Nova does: the reader's delete passes.
    assert.equal((await del(inst.uuid, reader.token)).status, 204);
  });
});

// The rebuild action against the real image service (compute-world) and a fake agent on host-a
// over a memory bus: the row on the new image with the new name, metadata, key and user data,
// task_state rebuilding, a rebuild action, the cast carrying the changed build; 202 with the
// server and its adminPass. Refusals: unknown or unfitting image (400), locked or busy or
// building server (409), deleted or unknown server (404), malformed bodies (400) — none of them
// changing the row.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../src/bus/index.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { startComputeWorld, type ComputeWorld, type WorldImage } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';
import { insertInstance, type InstanceOverrides } from './server-fixtures.js';
import { recordingAgent, type RecordingAgent } from './recording-agent.js';

describe('server rebuild', () => {
  let w: ComputeWorld;
  let bus: MemoryBus;
  let agent: RecordingAgent;
  let t: Tenant;
  let first: WorldImage;
  let second: WorldImage;

  const server = (over: Partial<InstanceOverrides> = {}): Promise<InstanceRow> =>
    insertInstance(w.compute.db, { project_id: t.projectId, user_id: t.userId, image_ref: first.id, ...over });
  const act = (uuid: string, body: unknown, version = '2.57') =>
    w.compute.request('POST', `/v2.1/servers/${uuid}/action`, { body, token: t.token, version });
  const row = (uuid: string) => w.compute.db.selectFrom('nova_instance').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();

  before(async () => {
    bus = new MemoryBus();
    w = await startComputeWorld({ bus });
    t = w.compute.alice;
    first = await w.createImage(t.token, { name: 'first' });
    second = await w.createImage(t.token, { name: 'second', properties: { os_distro: 'cirros' } });
    agent = await recordingAgent(bus, ['rebuild_instance']);
    const key = await w.compute.request('POST', '/v2.1/os-keypairs', { body: { keypair: { name: 'k2' } }, token: t.token, version: '2.1' });
    assert.equal(key.statusCode, 200, key.body);
  });
  after(async () => {
    await agent?.stop();
    await w?.close();
    await bus?.close();
  });
  beforeEach(() => agent.reset());

  it('rebuilds onto a new image with new name, metadata, key and user data; 202 with adminPass', async () => {
    const vm = await server({ system_metadata: JSON.stringify({ image_old_prop: 'x', other: 'kept' }) });
    await w.compute.db.insertInto('nova_instance_metadata').values({ instance_uuid: vm.uuid, key: 'old', value: '1' }).execute();
    const res = await act(vm.uuid, { rebuild: {
      imageRef: second.id, name: 'rebuilt', metadata: { role: 'web' }, adminPass: 'secret-pw', key_name: 'k2', user_data: 'ZWNobyBoaQ==',
    } });
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json().server;
    assert.equal(body.adminPass, 'secret-pw');
    assert.equal(body.key_name, 'k2', 'from 2.54 the answer names the key pair');
    assert.equal(body.name, 'rebuilt');
    assert.equal(body.image.id, second.id);
    assert.deepEqual(body.metadata, { role: 'web' });
    assert.equal(body.status, 'REBUILD');
    const now = await row(vm.uuid);
    assert.equal(now.task_state, 'rebuilding');
    assert.equal(now.image_ref, second.id);
    assert.equal(now.key_name, 'k2');
    assert.match(now.key_data ?? '', /^ssh-/);
    assert.equal(now.user_data, 'ZWNobyBoaQ==');
    const sysmeta = JSON.parse(now.system_metadata);
    assert.equal(sysmeta.image_os_distro, 'cirros');
    assert.equal(sysmeta.image_old_prop, undefined, "the old image's properties go");
    assert.equal(sysmeta.other, 'kept');
    await agent.waitFor(1);
    assert.deepEqual(agent.received[0]!.args, {
      uuid: vm.uuid, request_id: res.headers['x-openstack-request-id'], image_id: second.id, display_name: 'rebuilt', hostname: 'vm',
      key_name: 'k2', key_data: now.key_data, user_data: 'ZWNobyBoaQ==', metadata: { role: 'web' }, admin_password: 'secret-pw', stopped: false,
    });
    const actions = await w.compute.db.selectFrom('nova_instance_action').select('action').where('instance_uuid', '=', vm.uuid).execute();
    assert.deepEqual(actions.map((a) => a.action), ['rebuild']);
  });

  it('keeps what the body does not name; a stopped server stays stopped; a generated adminPass', async () => {
    const vm = await server({ vm_state: 'stopped', power_state: 4, display_name: 'keep', key_name: 'k0', key_data: 'ssh-ed25519 AAAA k0', user_data: 'eA==' });
    const res = await act(vm.uuid, { rebuild: { imageRef: second.id } });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(typeof res.json().server.adminPass, 'string');
    assert.ok(res.json().server.adminPass.length >= 8);
    const now = await row(vm.uuid);
    assert.deepEqual([now.display_name, now.key_name, now.user_data], ['keep', 'k0', 'eA==']);
    await agent.waitFor(1);
    assert.equal(agent.received[0]!.args.stopped, true);
    // 2.54 / 2.57: null removes the key and the user data.
    const other = await server({ key_name: 'k0', key_data: 'ssh-ed25519 AAAA k0', user_data: 'eA==' });
    assert.equal((await act(other.uuid, { rebuild: { imageRef: second.id, key_name: null, user_data: null } })).statusCode, 202);
    const cleared = await row(other.uuid);
    assert.deepEqual([cleared.key_name, cleared.key_data, cleared.user_data], [null, null, null]);
    await agent.waitFor(2);
  });

  it('refuses bad images, states and bodies without changing the server', async () => {
    const vm = await server();
    const before = await row(vm.uuid);
    const expect = async (body: unknown, status: number, pattern?: RegExp, version?: string) => {
      const res = await act(vm.uuid, body, version);
      assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
      if (pattern) assert.match(res.body, pattern);
    };
    await expect({ rebuild: { imageRef: '6b5e1f0a-9d8c-4b7a-a6f5-e4d3c2b1a098' } }, 400, /Can not find requested image/);
    await expect({ rebuild: {} }, 400, /imageRef/);
    await expect({ rebuild: { imageRef: 'not-a-uuid' } }, 400);
    await expect({ rebuild: { imageRef: second.id, key_name: 'nope' } }, 400, /Invalid key_name/);
    await expect({ rebuild: { imageRef: second.id, user_data: 'not base64!' } }, 400);
    await expect({ rebuild: { imageRef: second.id, key_name: 'k2' } }, 400, /key_name/, '2.53');
    await expect({ rebuild: { imageRef: second.id, unknown: 1 } }, 400);
    const big = await w.createImage(t.token, { name: 'big', min_ram: 100000 });
    await expect({ rebuild: { imageRef: big.id } }, 400, /memory is too small/);
    assert.deepEqual(await row(vm.uuid), before, 'nothing half-written');

    const locked = await server({ locked: 1, locked_by: 'owner' });
    assert.equal((await act(locked.uuid, { rebuild: { imageRef: second.id } })).statusCode, 409);
    const busy = await server({ task_state: 'powering-off' });
    const busyRes = await act(busy.uuid, { rebuild: { imageRef: second.id } });
    assert.equal(busyRes.statusCode, 409);
    assert.equal(busyRes.json().conflictingRequest.message, `Cannot 'rebuild' instance ${busy.uuid} while it is in task_state powering-off`);
    const building = await server({ vm_state: 'building', task_state: null });
    assert.equal((await act(building.uuid, { rebuild: { imageRef: second.id } })).statusCode, 409);
    const gone = await server({ deleted: 1 });
    assert.equal((await act(gone.uuid, { rebuild: { imageRef: second.id } })).statusCode, 404);
    assert.equal((await act('6b5e1f0a-9d8c-4b7a-a6f5-e4d3c2b1a098', { rebuild: { imageRef: second.id } })).statusCode, 404);
    assert.equal(agent.received.length, 0, 'no cast for a refused rebuild');
  });
});

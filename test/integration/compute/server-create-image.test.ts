// The createImage action against the real image service (compute-world) and a fake agent on
// host-a: the snapshot's image record (private qcow2, owned by the caller's project, the server's
// image properties, instance_uuid, image_type=snapshot, base_image_ref, the body's metadata), the
// Location header before 2.45 and {image_id} from 2.45, task_state image_snapshot_pending with a
// createImage action and the cast; refused states leave no image behind.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../src/bus/index.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { startComputeWorld, type ComputeWorld, type WorldImage } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';
import { insertInstance, instanceState, type InstanceOverrides } from './server-fixtures.js';
import { recordingAgent, type RecordingAgent } from './recording-agent.js';

describe('server createImage', () => {
  let w: ComputeWorld;
  let bus: MemoryBus;
  let agent: RecordingAgent;
  let t: Tenant;
  let base: WorldImage;

  const server = (over: Partial<InstanceOverrides> = {}): Promise<InstanceRow> => insertInstance(w.compute.db, {
    project_id: t.projectId, user_id: t.userId, image_ref: base.id,
    system_metadata: JSON.stringify({ image_os_distro: 'cirros', image_hw_disk_bus: 'virtio', image_min_ram: '64', image_base_image_ref: base.id }), ...over,
  });
  const act = (uuid: string, body: unknown, version?: string) =>
    w.compute.request('POST', `/v2.1/servers/${uuid}/action`, { body, token: t.token, ...(version ? { version } : {}) });
  const image = async (id: string) => {
    const res = await w.image.app.inject({ method: 'GET', url: `/v2/images/${id}`, headers: { 'x-auth-token': t.token } });
    return res.statusCode === 200 ? res.json() : undefined;
  };
  const imageCount = async () => (await w.image.app.inject({ method: 'GET', url: '/v2/images', headers: { 'x-auth-token': t.token } })).json().images.length as number;

  before(async () => {
    bus = new MemoryBus();
    w = await startComputeWorld({ bus });
    t = w.compute.alice;
    base = await w.createImage(t.token, { name: 'base' });
    agent = await recordingAgent(bus, ['snapshot_instance']);
  });
  after(async () => {
    await agent?.stop();
    await w?.close();
    await bus?.close();
  });
  beforeEach(() => agent.reset());

  it('creates the image record and answers with its Location (2.1) or its id (2.45)', async () => {
    const vm = await server();
    const res = await act(vm.uuid, { createImage: { name: 'snap ✓ 一', metadata: { purpose: 'backup' } } });
    assert.equal(res.statusCode, 202, res.body);
    const location = String(res.headers.location);
    const id = location.split('/').pop()!;
    assert.match(location, /\/v2\/images\/[0-9a-f-]{36}$/);
    const img = await image(id);
    assert.equal(img.name, 'snap ✓ 一');
    assert.equal(img.status, 'queued');
    assert.equal(img.visibility, 'private');
    assert.equal(img.owner, t.projectId);
    assert.equal(img.disk_format, 'qcow2');
    assert.equal(img.min_ram, 64);
    assert.equal(img.min_disk, 1);
    assert.deepEqual([img.instance_uuid, img.image_type, img.base_image_ref, img.user_id, img.os_distro, img.hw_disk_bus, img.purpose],
      [vm.uuid, 'snapshot', base.id, t.userId, 'cirros', 'virtio', 'backup']);
    assert.deepEqual(await instanceState(w.compute.db, vm.uuid), { vm_state: 'active', task_state: 'image_snapshot_pending' });
    await agent.waitFor(1);
    assert.deepEqual(agent.received.map((r) => r.args), [{ uuid: vm.uuid, request_id: res.headers['x-openstack-request-id'], image_id: id }]);
    const actions = await w.compute.db.selectFrom('nova_instance_action').select('action').where('instance_uuid', '=', vm.uuid).execute();
    assert.deepEqual(actions.map((a) => a.action), ['createImage']);

    const stopped = await server({ vm_state: 'stopped', power_state: 4 });
    const v245 = await act(stopped.uuid, { createImage: { name: 'snap2' } }, '2.45');
    assert.equal(v245.statusCode, 202, v245.body);
    assert.equal(v245.headers.location, undefined);
    assert.equal((await image(v245.json().image_id)).name, 'snap2');
    await agent.waitFor(2);
  });

  it('refuses wrong states and bodies, leaving no image and no task behind', async () => {
    const before = await imageCount();
    const busy = await server({ task_state: 'rebooting' });
    const res = await act(busy.uuid, { createImage: { name: 'x' } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().conflictingRequest.message, `Cannot 'createImage' instance ${busy.uuid} while it is in task_state rebooting`);
    const building = await server({ vm_state: 'building' });
    assert.equal((await act(building.uuid, { createImage: { name: 'x' } })).statusCode, 409);
    const vm = await server();
    for (const body of [{ createImage: {} }, { createImage: { name: '' } }, { createImage: { name: 'x', metadata: { k: 1 } } }, { createImage: { name: 'x', other: 1 } }]) {
      assert.equal((await act(vm.uuid, body)).statusCode, 400, JSON.stringify(body));
    }
    assert.equal(await imageCount(), before, 'no image record left');
    assert.deepEqual(await instanceState(w.compute.db, vm.uuid), { vm_state: 'active', task_state: null });
    assert.equal(agent.received.length, 0);
  });
});

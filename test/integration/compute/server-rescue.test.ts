// rescue / unrescue against the real image service (compute-world) and a fake agent on host-a
// over a memory bus: the states each allows (Nova's 409 otherwise, e.g. a paused server as
// Tempest's test_rescue_paused_instance expects), the rescuing / unrescuing task claimed with
// its instance action, the cast with the rescue image and password, 200 {"adminPass"} and 202;
// a rescue image the caller cannot see is a 400, bodies are validated, locks refuse (409).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MemoryBus } from '../../../src/bus/index.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { startComputeWorld, type ComputeWorld, type WorldImage } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';
import { insertInstance, instanceState, type InstanceOverrides, instanceActionNames } from './server-fixtures.js';
import { recordingAgent, type RecordingAgent } from './recording-agent.js';

describe('server rescue / unrescue', () => {
  let w: ComputeWorld;
  let bus: MemoryBus;
  let agent: RecordingAgent;
  let t: Tenant;
  let own: WorldImage;
  let rescueImage: WorldImage;

  const server = (over: Partial<InstanceOverrides> = {}): Promise<InstanceRow> =>
    insertInstance(w.compute.db, { project_id: t.projectId, user_id: t.userId, image_ref: own.id, ...over });
  const act = (uuid: string, body: unknown, token = t.token) => w.compute.request('POST', `/v2.1/servers/${uuid}/action`, { body, token });
  const actions = (uuid: string) => instanceActionNames(w.compute.db, uuid);

  before(async () => {
    bus = new MemoryBus();
    w = await startComputeWorld({ bus });
    t = w.compute.alice;
    own = await w.createImage(t.token, { name: 'own' });
    rescueImage = await w.createImage(t.token, { name: 'rescue' });
    agent = await recordingAgent(bus, ['rescue_instance', 'unrescue_instance']);
  });
  after(async () => {
    await agent?.stop();
    await w?.close();
    await bus?.close();
  });
  beforeEach(() => agent.reset());

  it('rescues an active server with the given password and image, then unrescues it', async () => {
    const vm = await server();
    const res = await act(vm.uuid, { rescue: { adminPass: 'rescue-pw', rescue_image_ref: rescueImage.id } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { adminPass: 'rescue-pw' });
    assert.deepEqual(await instanceState(w.compute.db, vm.uuid), { vm_state: 'active', task_state: 'rescuing' });
    await agent.waitFor(1);
    assert.deepEqual(agent.received[0], { method: 'rescue_instance', args: {
      uuid: vm.uuid, request_id: res.headers['x-openstack-request-id'], rescue_image_id: rescueImage.id, admin_password: 'rescue-pw',
    } });
    const busy = await act(vm.uuid, { rescue: null });
    assert.equal(busy.statusCode, 409);
    assert.equal(busy.json().conflictingRequest.message, `Cannot 'rescue' instance ${vm.uuid} while it is in task_state rescuing`);

    // What the agent reports; the view shows RESCUE, and only unrescue gets it out.
    await w.compute.db.updateTable('nova_instance').set({ vm_state: 'rescued', task_state: null }).where('uuid', '=', vm.uuid).execute();
    const shown = await w.compute.request('GET', `/v2.1/servers/${vm.uuid}`, { token: t.token });
    assert.equal(shown.json().server.status, 'RESCUE');
    for (const body of [{ reboot: { type: 'HARD' } }, { 'os-stop': null }, { rescue: null }, { pause: null }]) {
      assert.equal((await act(vm.uuid, body)).statusCode, 409, JSON.stringify(body));
    }
    const un = await act(vm.uuid, { unrescue: null });
    assert.equal(un.statusCode, 202, un.body);
    assert.deepEqual(await instanceState(w.compute.db, vm.uuid), { vm_state: 'rescued', task_state: 'unrescuing' });
    await agent.waitFor(2);
    assert.deepEqual(agent.received[1], { method: 'unrescue_instance', args: { uuid: vm.uuid, request_id: un.headers['x-openstack-request-id'] } });
    assert.deepEqual(await actions(vm.uuid), ['rescue', 'unrescue']);
  });

  it('rescues stopped and error servers from their own image with a generated password', async () => {
    for (const vm_state of ['stopped', 'error']) {
      agent.reset();
      const vm = await server({ vm_state, power_state: 4 });
      const res = await act(vm.uuid, { rescue: {} });
      assert.equal(res.statusCode, 200, res.body);
      const pass = res.json().adminPass;
      assert.match(pass, /^.{12}$/);
      await agent.waitFor(1);
      assert.equal(agent.received[0]!.args.rescue_image_id, own.id);
      assert.equal(agent.received[0]!.args.admin_password, pass);
    }
  });

  it('refuses paused, suspended, building, locked, unplaced servers and unrescue of a server not rescued', async () => {
    for (const over of [{ vm_state: 'paused', power_state: 3 }, { vm_state: 'suspended', power_state: 4 }, { vm_state: 'building', task_state: 'spawning' }]) {
      const vm = await server(over);
      const res = await act(vm.uuid, { rescue: null });
      assert.equal(res.statusCode, 409, JSON.stringify(over));
      assert.match(res.json().conflictingRequest.message, /Cannot 'rescue' instance/);
    }
    const locked = await server({ locked: 1, locked_by: 'owner' });
    const refused = await act(locked.uuid, { rescue: null });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().conflictingRequest.message, `Instance ${locked.uuid} is locked`);
    assert.equal((await act(locked.uuid, { rescue: null }, w.compute.adminToken)).statusCode, 200, 'admins pass a lock');
    const unplaced = await server({ host: null });
    assert.equal((await act(unplaced.uuid, { rescue: null })).statusCode, 409);
    const active = await server();
    const un = await act(active.uuid, { unrescue: null });
    assert.equal(un.statusCode, 409);
    assert.equal(un.json().conflictingRequest.message, `Cannot 'unrescue' instance ${active.uuid} while it is in vm_state active`);
    const rescuedLocked = await server({ vm_state: 'rescued', locked: 1, locked_by: 'admin' });
    assert.equal((await act(rescuedLocked.uuid, { unrescue: null })).statusCode, 409);
    await agent.waitFor(1);
  });

  it('validates the body and the rescue image; nothing changes on refusal', async () => {
    const vm = await server();
    for (const body of [{ rescue: { rescue_image_ref: 'nope' } }, { rescue: { adminPass: 1 } }, { rescue: { adminPass: 'x'.repeat(256) } }, { rescue: { adminPass: 'a\u0007b' } }, { rescue: { other: 1 } }, { rescue: 'x' }, { rescue: [] }]) {
      const res = await act(vm.uuid, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)} ${res.body}`);
    }
    const missing = randomUUID();
    const res = await act(vm.uuid, { rescue: { rescue_image_ref: missing } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().badRequest.message, `Rescue image ${missing} not found`);
    const bob = await w.compute.request('POST', `/v2.1/servers/${vm.uuid}/action`, { body: { rescue: null }, token: w.compute.bob.token });
    assert.equal(bob.statusCode, 404);
    assert.deepEqual(await instanceState(w.compute.db, vm.uuid), { vm_state: 'active', task_state: null });
    assert.deepEqual(await actions(vm.uuid), []);
    assert.equal(agent.received.length, 0);
  });
});

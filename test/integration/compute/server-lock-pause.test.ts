// lock/unlock, pause/unpause and suspend/resume through the real compute API, with a fake agent
// on host-a over a memory bus: who may unlock whose lock, the 2.73 reason in the view and its
// schema, the vm_state each action needs (Nova's 409 otherwise), the task state claimed, the
// instance action recorded and the cast that reaches the host.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../src/bus/index.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { startCompute, type ComputeHarness, type Tenant } from '../../support/compute-harness.js';
import { insertInstance, instanceState, type InstanceOverrides } from './server-fixtures.js';
import { recordingAgent, type RecordingAgent } from './recording-agent.js';

describe('server lock, pause and suspend actions', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  let agent: RecordingAgent;
  const waitFor = (n: number) => agent.waitFor(n);
  const server = (over: Partial<InstanceOverrides> = {}, owner: Tenant = h.alice): Promise<InstanceRow> =>
    insertInstance(h.db, { project_id: owner.projectId, user_id: owner.userId, ...over });
  const act = (uuid: string, body: unknown, token = h.alice.token, version?: string) =>
    h.request('POST', `/v2.1/servers/${uuid}/action`, { body, token, ...(version ? { version } : {}) });
  const show = async (uuid: string, version = '2.73') => (await h.request('GET', `/v2.1/servers/${uuid}`, { token: h.adminToken, version })).json().server;
  const actions = async (uuid: string) =>
    (await h.db.selectFrom('nova_instance_action').select('action').where('instance_uuid', '=', uuid).orderBy('id').execute()).map((a) => a.action);

  before(async () => {
    bus = new MemoryBus();
    h = await startCompute({ bus });
    agent = await recordingAgent(bus, ['pause_instance', 'unpause_instance', 'suspend_instance', 'resume_instance', 'stop_instance', 'trigger_crash_dump']);
  });
  after(async () => {
    await agent?.stop();
    await h?.close();
    await bus?.close();
  });
  beforeEach(() => agent.reset());

  describe('lock / unlock', () => {
    it('locks with a reason (2.73), shows it, refuses changes, and unlocks', async () => {
      const vm = await server();
      const res = await act(vm.uuid, { lock: { locked_reason: 'maintenance' } }, h.alice.token, '2.73');
      assert.equal(res.statusCode, 202, res.body);
      let view = await show(vm.uuid);
      assert.equal(view.locked, true);
      assert.equal(view.locked_reason, 'maintenance');
      assert.equal((await h.db.selectFrom('nova_instance').select('locked_by').where('uuid', '=', vm.uuid).executeTakeFirstOrThrow()).locked_by, 'owner');
      const stop = await act(vm.uuid, { 'os-stop': null });
      assert.equal(stop.statusCode, 409);
      assert.equal(stop.json().conflictingRequest.message, `Instance ${vm.uuid} is locked`);
      assert.equal((await act(vm.uuid, { pause: null })).statusCode, 409);

      assert.equal((await act(vm.uuid, { unlock: null })).statusCode, 202);
      view = await show(vm.uuid);
      assert.equal(view.locked, false);
      assert.equal(view.locked_reason, null);
      assert.deepEqual(await actions(vm.uuid), ['lock', 'unlock']);
      assert.equal((await act(vm.uuid, { 'os-stop': null })).statusCode, 202);
    });

    it('an admin\'s lock holds against the owner: unlock needs unlock_override (403)', async () => {
      const vm = await server();
      assert.equal((await act(vm.uuid, { lock: null }, h.adminToken)).statusCode, 202);
      assert.equal((await h.db.selectFrom('nova_instance').select('locked_by').where('uuid', '=', vm.uuid).executeTakeFirstOrThrow()).locked_by, 'admin');
      const refused = await act(vm.uuid, { unlock: null });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.json().forbidden.message, /os_compute_api:os-lock-server:unlock:unlock_override/);
      assert.equal((await show(vm.uuid)).locked, true);
      assert.equal((await act(vm.uuid, { unlock: null }, h.adminToken)).statusCode, 202);
      assert.equal((await show(vm.uuid)).locked, false);
    });

    it('validates the 2.73 body; before 2.73 the reason is not kept; others\' servers are 404', async () => {
      const vm = await server();
      for (const body of [{ lock: { locked_reason: '' } }, { lock: { locked_reason: 'x'.repeat(256) } }, { lock: { other: 1 } }, { lock: 'yes' }]) {
        const res = await act(vm.uuid, body, h.alice.token, '2.73');
        assert.equal(res.statusCode, 400, JSON.stringify(body));
      }
      assert.equal((await show(vm.uuid)).locked, false, 'nothing half-written');
      assert.equal((await act(vm.uuid, { lock: null }, h.alice.token, '2.72')).statusCode, 202);
      assert.equal((await show(vm.uuid)).locked_reason, null);
      const theirs = await server({}, h.bob);
      assert.equal((await act(theirs.uuid, { lock: null })).statusCode, 404);
    });
  });

  describe('pause / unpause, suspend / resume', () => {
    it('pauses an active server and unpauses a paused one, casting to its host', async () => {
      const vm = await server();
      assert.equal((await act(vm.uuid, { pause: null })).statusCode, 202);
      assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'active', task_state: 'pausing' });
      await waitFor(1);
      assert.equal(agent.received[0]!.method, 'pause_instance');
      assert.equal(agent.received[0]!.args.uuid, vm.uuid);
      const again = await act(vm.uuid, { pause: null });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().conflictingRequest.message, `Cannot 'pause' instance ${vm.uuid} while it is in task_state pausing`);

      const paused = await server({ vm_state: 'paused', power_state: 3 });
      assert.equal((await show(paused.uuid)).status, 'PAUSED');
      assert.equal((await act(paused.uuid, { unpause: null })).statusCode, 202);
      assert.deepEqual(await instanceState(h.db, paused.uuid), { vm_state: 'paused', task_state: 'unpausing' });
      await waitFor(2);
      assert.equal(agent.received[1]!.method, 'unpause_instance');
      const notPaused = await act(vm.uuid, { unpause: null });
      assert.equal(notPaused.statusCode, 409);
      assert.deepEqual(await actions(vm.uuid), ['pause']);
    });

    it('suspends an active server and resumes a suspended one; refuses the wrong states', async () => {
      const vm = await server();
      assert.equal((await act(vm.uuid, { suspend: null })).statusCode, 202);
      assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'active', task_state: 'suspending' });
      const suspended = await server({ vm_state: 'suspended', power_state: 4 });
      assert.equal((await show(suspended.uuid)).status, 'SUSPENDED');
      const res = await act(suspended.uuid, { suspend: null });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().conflictingRequest.message, `Cannot 'suspend' instance ${suspended.uuid} while it is in vm_state suspended`);
      assert.equal((await act(suspended.uuid, { resume: null })).statusCode, 202);
      assert.deepEqual(await instanceState(h.db, suspended.uuid), { vm_state: 'suspended', task_state: 'resuming' });
      const stopped = await server({ vm_state: 'stopped', power_state: 4 });
      assert.equal((await act(stopped.uuid, { resume: null })).statusCode, 409);
      assert.equal((await act(stopped.uuid, { suspend: null })).statusCode, 409);
      await waitFor(2);
      assert.deepEqual(agent.received.map((r) => r.method), ['suspend_instance', 'resume_instance']);
      assert.deepEqual(await actions(suspended.uuid), ['resume']);
    });

    it('refuses a server that is not on a host (409) and another project\'s (404)', async () => {
      const unplaced = await server({ vm_state: 'active', host: null });
      const res = await act(unplaced.uuid, { suspend: null });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().conflictingRequest.message, `Instance ${unplaced.uuid} is not ready`);
      const theirs = await server({}, h.bob);
      assert.equal((await act(theirs.uuid, { pause: null })).statusCode, 404);
      assert.deepEqual(await instanceState(h.db, theirs.uuid), { vm_state: 'active', task_state: null });
    });
  });

  describe('trigger_crash_dump (2.17)', () => {
    it('casts to a running server\'s host with an action; refuses old versions, stopped and locked servers', async () => {
      const vm = await server();
      const res = await act(vm.uuid, { trigger_crash_dump: null }, h.alice.token, '2.17');
      assert.equal(res.statusCode, 202, res.body);
      await waitFor(1);
      assert.deepEqual(agent.received[0], { method: 'trigger_crash_dump', args: { uuid: vm.uuid, request_id: res.headers['x-openstack-request-id'] } });
      assert.deepEqual(await actions(vm.uuid), ['trigger_crash_dump']);
      assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'active', task_state: null });

      assert.equal((await act(vm.uuid, { trigger_crash_dump: null }, h.alice.token, '2.16')).statusCode, 404);
      assert.equal((await act(vm.uuid, { trigger_crash_dump: {} }, h.alice.token, '2.17')).statusCode, 400);
      const stopped = await server({ vm_state: 'stopped', power_state: 4 });
      assert.equal((await act(stopped.uuid, { trigger_crash_dump: null }, h.alice.token, '2.17')).statusCode, 409);
      const off = await server({ power_state: 4 });
      const notRunning = await act(off.uuid, { trigger_crash_dump: null }, h.alice.token, '2.17');
      assert.equal(notRunning.statusCode, 409);
      assert.equal(notRunning.json().conflictingRequest.message, `Instance ${off.uuid} is not running.`);
      const locked = await server({ locked: 1, locked_by: 'admin' });
      assert.equal((await act(locked.uuid, { trigger_crash_dump: null }, h.alice.token, '2.17')).statusCode, 409);
      assert.equal(agent.received.length, 1);
    });
  });
});

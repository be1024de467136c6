// Server power actions and the console log through the real compute API, with a fake agent
// serving topic `compute` on host-a over a memory bus: Nova's state machine (409s), lock, the
// atomic task-state claim (two racing stops: one 202, one 409), the instance action recorded,
// and the casts/calls carrying the right arguments.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../src/bus/index.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { startCompute, type ComputeHarness, type Tenant } from '../../support/compute-harness.js';
import { insertInstance, instanceState, type InstanceOverrides } from './server-fixtures.js';
import { recordingAgent, type RecordingAgent } from './recording-agent.js';

describe('server actions (os-start, os-stop, reboot, os-getConsoleOutput)', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  let agent: RecordingAgent;
  let consoleText = 'line1\nline2\x07\x1b[0m\nline3';
  let consoleError: Error | undefined;
  const waitFor = (n: number) => agent.waitFor(n);
  const server = (over: Partial<InstanceOverrides> = {}, owner: Tenant = h.alice): Promise<InstanceRow> =>
    insertInstance(h.db, { project_id: owner.projectId, user_id: owner.userId, ...over });
  const act = (uuid: string, body: unknown, token = h.alice.token, version?: string) =>
    h.request('POST', `/v2.1/servers/${uuid}/action`, { body, token, ...(version ? { version } : {}) });

  before(async () => {
    bus = new MemoryBus();
    h = await startCompute({ bus });
    agent = await recordingAgent(bus, ['stop_instance', 'start_instance', 'reboot_instance'], {
      get_console_output: async (args) => {
        agent.received.push({ method: 'get_console_output', args });
        if (consoleError) throw consoleError;
        return { output: consoleText };
      },
    });
  });
  after(async () => {
    await agent?.stop();
    await h?.close();
    await bus?.close();
  });
  beforeEach(() => {
    agent.reset();
    consoleError = undefined;
  });

  describe('os-stop / os-start', () => {
    it('stops an active server: 202, powering-off, a stop action, stop_instance cast to its host', async () => {
      const vm = await server();
      const res = await act(vm.uuid, { 'os-stop': null });
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(res.body, '');
      assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'active', task_state: 'powering-off' });
      const requestId = res.headers['x-openstack-request-id'];
      const actions = await h.db.selectFrom('nova_instance_action').selectAll().where('instance_uuid', '=', vm.uuid).execute();
      assert.deepEqual(actions.map((a) => [a.action, a.request_id, a.user_id, a.project_id]), [['stop', requestId, h.alice.userId, h.alice.projectId]]);
      await waitFor(1);
      assert.deepEqual(agent.received[0], { method: 'stop_instance', args: { uuid: vm.uuid, request_id: requestId } });
    });

    it('stops an ERROR server too; refuses stopped / building / busy servers with Nova\'s 409s', async () => {
      const errored = await server({ vm_state: 'error' });
      assert.equal((await act(errored.uuid, { 'os-stop': {} })).statusCode, 202);

      const stopped = await server({ vm_state: 'stopped', power_state: 4 });
      let res = await act(stopped.uuid, { 'os-stop': null });
      assert.equal(res.statusCode, 409);
      assert.deepEqual(res.json(), { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${stopped.uuid} while it is in vm_state stopped` } });

      const busy = await server({ task_state: 'rebooting' });
      res = await act(busy.uuid, { 'os-stop': null });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().conflictingRequest.message, `Cannot 'stop' instance ${busy.uuid} while it is in task_state rebooting`);

      const unscheduled = await server({ vm_state: 'building', task_state: 'scheduling', host: null, launched_at: null });
      res = await act(unscheduled.uuid, { 'os-stop': null });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().conflictingRequest.message, `Instance ${unscheduled.uuid} is not ready`);

      await waitFor(1);
      assert.equal(agent.received[0]!.args.uuid, errored.uuid);
    });

    it('starts a stopped server (powering-on, start_instance) and refuses an active one', async () => {
      const vm = await server({ vm_state: 'stopped', power_state: 4 });
      const res = await act(vm.uuid, { 'os-start': null });
      assert.equal(res.statusCode, 202, res.body);
      assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'stopped', task_state: 'powering-on' });
      await waitFor(1);
      assert.equal(agent.received[0]!.method, 'start_instance');
      const active = await server();
      const refused = await act(active.uuid, { 'os-start': null });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().conflictingRequest.message, `Cannot 'start' instance ${active.uuid} while it is in vm_state active`);
    });

    it('of two concurrent stops one wins (202) and the other gets a 409; one cast, one action', async () => {
      const vm = await server();
      const [a, b] = await Promise.all([act(vm.uuid, { 'os-stop': null }), act(vm.uuid, { 'os-stop': null })]);
      assert.deepEqual([a.statusCode, b.statusCode].sort(), [202, 409]);
      await waitFor(1);
      const actions = await h.db.selectFrom('nova_instance_action').select('id').where('instance_uuid', '=', vm.uuid).execute();
      assert.equal(actions.length, 1);
    });

    it('a locked server refuses its owner (409) but not an admin', async () => {
      const vm = await server({ locked: 1, locked_by: 'owner' });
      const res = await act(vm.uuid, { 'os-stop': null });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().conflictingRequest.message, `Instance ${vm.uuid} is locked`);
      assert.equal((await act(vm.uuid, { 'os-stop': null }, h.adminToken)).statusCode, 202);
    });

    it('another project\'s server is a 404 and stays as it was', async () => {
      const vm = await server({}, h.bob);
      const res = await act(vm.uuid, { 'os-stop': null });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().itemNotFound.message, `Instance ${vm.uuid} could not be found.`);
      assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'active', task_state: null });
      assert.equal((await act(vm.uuid, { 'os-stop': null }, h.bob.token)).statusCode, 202);
    });

    it('refuses malformed action bodies', async () => {
      const vm = await server();
      let res = await act(vm.uuid, { 'os-stop': null, 'os-start': null });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().badRequest.message, 'Malformed request body');
      res = await act(vm.uuid, { 'os-explode': null });
      assert.equal(res.json().badRequest.message, 'There is no such action: os-explode');
      assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'active', task_state: null });
    });
  });

  describe('reboot', () => {
    it('soft-reboots an active server (rebooting, reboot_type SOFT); type is case-insensitive', async () => {
      const vm = await server();
      const res = await act(vm.uuid, { reboot: { type: 'soft' } });
      assert.equal(res.statusCode, 202, res.body);
      assert.equal((await instanceState(h.db, vm.uuid)).task_state, 'rebooting');
      await waitFor(1);
      assert.deepEqual(agent.received[0], {
        method: 'reboot_instance', args: { uuid: vm.uuid, request_id: res.headers['x-openstack-request-id'], reboot_type: 'SOFT' },
      });
      const action = await h.db.selectFrom('nova_instance_action').select('action').where('instance_uuid', '=', vm.uuid).executeTakeFirstOrThrow();
      assert.equal(action.action, 'reboot');
    });

    it('soft refuses stopped servers and servers already rebooting; hard takes both', async () => {
      const stopped = await server({ vm_state: 'stopped', power_state: 4 });
      let res = await act(stopped.uuid, { reboot: { type: 'SOFT' } });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().conflictingRequest.message, `Cannot 'reboot' instance ${stopped.uuid} while it is in vm_state stopped`);
      res = await act(stopped.uuid, { reboot: { type: 'HARD' } });
      assert.equal(res.statusCode, 202);
      assert.equal((await instanceState(h.db, stopped.uuid)).task_state, 'rebooting_hard');

      const rebooting = await server({ task_state: 'rebooting' });
      res = await act(rebooting.uuid, { reboot: { type: 'SOFT' } });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().conflictingRequest.message, `Cannot 'reboot' instance ${rebooting.uuid} while it is in task_state rebooting`);
      res = await act(rebooting.uuid, { reboot: { type: 'Hard' } });
      assert.equal(res.statusCode, 202);
      assert.equal((await instanceState(h.db, rebooting.uuid)).task_state, 'rebooting_hard');

      const deleting = await server({ task_state: 'deleting' });
      assert.equal((await act(deleting.uuid, { reboot: { type: 'HARD' } })).statusCode, 409);
      await waitFor(2);
      assert.deepEqual(agent.received.map((r) => r.args.reboot_type), ['HARD', 'HARD']);
    });

    it('validates the body as Nova\'s schema', async () => {
      const vm = await server();
      let res = await act(vm.uuid, { reboot: { type: 'WARM' } });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().badRequest.message, /^Invalid input for field\/attribute type\. Value: WARM\. 'WARM' is not one of/);
      res = await act(vm.uuid, { reboot: {} });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().badRequest.message, /'type' is a required property/);
      res = await act(vm.uuid, { reboot: { type: 'HARD', force: true } });
      assert.equal(res.statusCode, 400);
      assert.equal((await instanceState(h.db, vm.uuid)).task_state, null);
    });
  });

  describe('os-getConsoleOutput', () => {
    it('asks the host for the log, passing length, and strips control characters', async () => {
      const vm = await server();
      let res = await act(vm.uuid, { 'os-getConsoleOutput': { length: 2 } });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { output: 'line1\nline2[0m\nline3' });
      assert.deepEqual(agent.received[0], { method: 'get_console_output', args: { uuid: vm.uuid, length: 2 } });
      res = await act(vm.uuid, { 'os-getConsoleOutput': { length: '-1' } });
      assert.equal(res.statusCode, 200);
      res = await act(vm.uuid, { 'os-getConsoleOutput': {} });
      assert.equal(res.statusCode, 200);
      res = await act(vm.uuid, { 'os-getConsoleOutput': { length: '7' } });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(agent.received.map((r) => r.args.length), [2, undefined, undefined, 7]);
    });

    it('refuses bad lengths (400) and servers not running anywhere (409)', async () => {
      const vm = await server();
      for (const length of [-2, '-5', 'abc', 1.5, true]) {
        const res = await act(vm.uuid, { 'os-getConsoleOutput': { length } });
        assert.equal(res.statusCode, 400, `${JSON.stringify(length)} → ${res.body}`);
        assert.match(res.json().badRequest.message, /^Invalid input for field\/attribute length/);
      }
      const building = await server({ vm_state: 'building', task_state: 'scheduling', host: null, launched_at: null });
      const res = await act(building.uuid, { 'os-getConsoleOutput': {} });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().conflictingRequest.message, `Instance ${building.uuid} is not ready`);
      assert.equal(agent.received.length, 0);
    });

    it('answers 404 when the guest has no console log', async () => {
      const vm = await server();
      consoleError = Object.assign(new Error('no log'), { name: 'ConsoleNotAvailable' });
      const res = await act(vm.uuid, { 'os-getConsoleOutput': {} });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().itemNotFound.message, 'Guest does not have a console available.');
    });

    it('hides other projects\' servers (404); a gone server is a 404', async () => {
      const vm = await server({}, h.bob);
      assert.equal((await act(vm.uuid, { 'os-getConsoleOutput': {} })).statusCode, 404);
      const gone = await server({ deleted: 1, vm_state: 'deleted' });
      assert.equal((await act(gone.uuid, { 'os-getConsoleOutput': {} })).statusCode, 404);
      assert.equal(agent.received.length, 0);
    });
  });
});

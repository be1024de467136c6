// changePassword through the real compute API with a fake agent on host-a answering the
// set_admin_password call: an image with hw_qemu_guest_agent gets task_state updating_password,
// the changePassword action and the call with the password (202); the host's named failures are
// Nova's 409s; an image without the guest agent is 409 "QEMU guest agent is not enabled" before any
// claim; bodies (400), states and locks (409) are refused as Nova refuses them.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type BusArgs } from '../../../src/bus/index.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { insertInstance, instanceState, type InstanceOverrides, instanceActionNames } from './server-fixtures.js';
import { recordingAgent, type RecordingAgent } from './recording-agent.js';

describe('server changePassword', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  let agent: RecordingAgent;
  const calls: BusArgs[] = [];
  let answer: (args: BusArgs) => Promise<unknown>;
  const WITH_AGENT = JSON.stringify({ image_hw_qemu_guest_agent: 'yes' });

  const server = (over: Partial<InstanceOverrides> = {}): Promise<InstanceRow> =>
    insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId, system_metadata: WITH_AGENT, ...over });
  const act = (uuid: string, body: unknown) => h.request('POST', `/v2.1/servers/${uuid}/action`, { body, token: h.alice.token });
  const actions = (uuid: string) => instanceActionNames(h.db, uuid);
  const named = (name: string, message: string) => async () => { const e = new Error(message); e.name = name; throw e; };

  before(async () => {
    bus = new MemoryBus();
    h = await startCompute({ bus });
    agent = await recordingAgent(bus, [], {
      set_admin_password: async (args) => {
        calls.push(args);
        const state = await instanceState(h.db, args.uuid as string);
        assert.equal(state.task_state, 'updating_password', 'claimed before the call');
        try {
          return await answer(args);
        } finally {
          // What the host does, success or not.
          await h.db.updateTable('nova_instance').set({ task_state: null }).where('uuid', '=', args.uuid as string).execute();
        }
      },
    });
  });
  after(async () => {
    await agent?.stop();
    await h?.close();
    await bus?.close();
  });
  beforeEach(() => { calls.length = 0; answer = async () => ({}); });

  it('sets the password through the host (202) with an action', async () => {
    const vm = await server();
    const res = await act(vm.uuid, { changePassword: { adminPass: 'n3w-Pass' } });
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(calls, [{ uuid: vm.uuid, request_id: res.headers['x-openstack-request-id'], password: 'n3w-Pass' }]);
    assert.deepEqual(await actions(vm.uuid), ['changePassword']);
    assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'active', task_state: null });
  });

  it('shows the host\'s failures as Nova\'s 409s', async () => {
    const vm = await server();
    answer = named('InstancePasswordSetFailed', `Failed to set admin password on ${vm.uuid} because instance ${vm.uuid} is not running`);
    const res = await act(vm.uuid, { changePassword: { adminPass: 'x' } });
    assert.equal(res.statusCode, 409);
    assert.match(res.json().conflictingRequest.message, /is not running/);
    answer = named('QemuGuestAgentNotEnabled', 'QEMU guest agent is not enabled');
    assert.equal((await act(vm.uuid, { changePassword: { adminPass: 'x' } })).json().conflictingRequest.message, 'QEMU guest agent is not enabled');
    answer = named('GuestAgentError', 'the guest agent did not answer');
    const other = await act(vm.uuid, { changePassword: { adminPass: 'x' } });
    assert.equal(other.statusCode, 409);
    assert.equal(other.json().conflictingRequest.message, `Failed to set admin password on ${vm.uuid} because error setting admin password`);
  });

  it('refuses an image without the guest agent, bad bodies, other states and locks — nothing claimed', async () => {
    const plain = await server({ system_metadata: '{}' });
    const res = await act(plain.uuid, { changePassword: { adminPass: 'x' } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().conflictingRequest.message, 'QEMU guest agent is not enabled');
    const vm = await server();
    for (const body of [{ changePassword: {} }, { changePassword: { adminPass: 1 } }, { changePassword: { adminPass: 'x'.repeat(256) } }, { changePassword: { adminPass: 'a\nb' } }, { changePassword: { adminPass: 'x', other: 1 } }, { changePassword: null }]) {
      assert.equal((await act(vm.uuid, body)).statusCode, 400, JSON.stringify(body));
    }
    for (const over of [{ vm_state: 'stopped', power_state: 4 }, { vm_state: 'paused' }, { vm_state: 'rescued' }, { task_state: 'rebooting' }, { locked: 1, locked_by: 'admin' }]) {
      const other = await server(over);
      assert.equal((await act(other.uuid, { changePassword: { adminPass: 'x' } })).statusCode, 409, JSON.stringify(over));
      assert.deepEqual(await actions(other.uuid), []);
    }
    assert.equal(calls.length, 0);
    assert.deepEqual(await actions(plain.uuid), []);
    assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'active', task_state: null });
  });
});

// os-resetState through the real compute API: an admin forces active/error and clears the task
// state (a `resetState` action, finished at once); members get 403, bad states 400, unknown 404.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { insertInstance, instanceActionNames, instanceState } from './server-fixtures.js';

describe('os-resetState', () => {
  let h: ComputeHarness;
  const reset = (uuid: string, body: unknown, token = h.adminToken) => h.request('POST', `/v2.1/servers/${uuid}/action`, { body, token });

  before(async () => { h = await startCompute(); });
  after(async () => { await h?.close(); });

  it('sets error then active and clears the task state, recording resetState', async () => {
    const vm = await insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId, task_state: 'rebooting' });
    assert.equal((await reset(vm.uuid, { 'os-resetState': { state: 'error' } })).statusCode, 202);
    assert.deepEqual(await instanceState(h.db, vm.uuid), { vm_state: 'error', task_state: null });
    const shown = (await h.request('GET', `/v2.1/servers/${vm.uuid}`, { token: h.alice.token })).json().server;
    assert.equal(shown.status, 'ERROR');
    assert.equal((await reset(vm.uuid, { 'os-resetState': { state: 'active' } })).statusCode, 202);
    assert.equal((await instanceState(h.db, vm.uuid)).vm_state, 'active');
    assert.deepEqual(await instanceActionNames(h.db, vm.uuid), ['resetState', 'resetState']);
    const finished = await h.db.selectFrom('nova_instance_action').select('finish_time').where('instance_uuid', '=', vm.uuid).execute();
    assert.ok(finished.every((a) => a.finish_time !== null));
  });

  it('refuses members (403), bad states (400) and unknown servers (404)', async () => {
    const vm = await insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId });
    assert.equal((await reset(vm.uuid, { 'os-resetState': { state: 'error' } }, h.alice.token)).statusCode, 403);
    for (const body of [{ 'os-resetState': { state: 'invalid' } }, { 'os-resetState': { state: 1 } }, { 'os-resetState': {} }, { 'os-resetState': { state: 'error', x: 1 } }]) {
      assert.equal((await reset(vm.uuid, body)).statusCode, 400, JSON.stringify(body));
    }
    assert.equal((await instanceState(h.db, vm.uuid)).vm_state, 'active');
    assert.equal((await reset('999', { 'os-resetState': { state: 'error' } })).statusCode, 404);
  });
});

// os-instance-actions through the real compute API over rows inserted directly: newest first,
// 2.58 paging/changes-since, 2.66 changes-before, 2.21 deleted servers, and the events a caller
// sees by role and version (traceback and host for admins, 2.51 events for owners, 2.62 hostId,
// 2.84 details).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { insertInstance } from './server-fixtures.js';

describe('os-instance-actions', () => {
  let h: ComputeHarness;
  let vm: InstanceRow;
  let nextActionId = 1000;
  let nextEventId = 1000;

  const addAction = async (uuid: string, action: string, requestId: string, at: string, project = h.alice.projectId): Promise<number> => {
    const id = nextActionId++;
    await h.db.insertInto('nova_instance_action').values({
      id, action, instance_uuid: uuid, request_id: requestId, user_id: h.alice.userId, project_id: project,
      start_time: at, finish_time: null, message: null, created_at: at, updated_at: at,
    }).execute();
    return id;
  };
  const addEvent = (actionId: number, event: string, at: string, result: string | null, traceback: string | null) =>
    h.db.insertInto('nova_instance_action_event').values({
      id: nextEventId++, action_id: actionId, event, result, traceback, start_time: at, finish_time: result ? at : null, host: 'host-a', details: result === 'Error' ? 'Build failed' : null,
    }).execute();
  const get = (path: string, version: string, token = h.alice.token) => h.request('GET', `/v2.1/servers/${vm.uuid}/os-instance-actions${path}`, { token, version });

  before(async () => {
    h = await startCompute();
    vm = await insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId });
    const create = await addAction(vm.uuid, 'create', 'req-1', '2026-01-01T10:00:00Z');
    await addEvent(create, 'compute__do_build_and_run_instance', '2026-01-01T10:00:05Z', 'Success', null);
    await addEvent(create, 'conductor_schedule_and_build_instances', '2026-01-01T10:00:01Z', 'Success', null);
    await addAction(vm.uuid, 'stop', 'req-2', '2026-01-02T10:00:00Z');
    const reboot = await addAction(vm.uuid, 'reboot', 'req-3', '2026-01-03T10:00:00Z');
    await addEvent(reboot, 'compute_reboot_instance', '2026-01-03T10:00:02Z', 'Error', 'Traceback (most recent call last): boom');
  });
  after(async () => { await h?.close(); });

  it('lists newest first with Nova\'s keys (no updated_at before 2.58)', async () => {
    const res = await get('', '2.1');
    assert.equal(res.statusCode, 200, res.body);
    const actions = res.json().instanceActions as Record<string, unknown>[];
    assert.deepEqual(actions.map((a) => a.request_id), ['req-3', 'req-2', 'req-1']);
    assert.deepEqual(actions[2], {
      action: 'create', instance_uuid: vm.uuid, request_id: 'req-1', user_id: h.alice.userId, project_id: h.alice.projectId,
      start_time: '2026-01-01T10:00:00.000000', message: null,
    });
    assert.equal(res.json().links, undefined);
  });

  it('pages from 2.58 (limit, marker = request id, next link) and filters by changes-since', async () => {
    let res = await get('?limit=2', '2.58');
    assert.equal(res.statusCode, 200, res.body);
    let body = res.json();
    assert.deepEqual(body.instanceActions.map((a: any) => a.request_id), ['req-3', 'req-2']);
    assert.equal(body.instanceActions[0].updated_at, '2026-01-03T10:00:00.000000');
    assert.equal(body.links.length, 1);
    assert.equal(body.links[0].rel, 'next');
    assert.match(body.links[0].href, new RegExp(`/v2\\.1/servers/${vm.uuid}/os-instance-actions\\?limit=2&marker=req-2$`));
    res = await get('?limit=2&marker=req-2', '2.58');
    body = res.json();
    assert.deepEqual(body.instanceActions.map((a: any) => a.request_id), ['req-1']);
    assert.equal(body.links, undefined);
    res = await get('?marker=req-9', '2.58');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().badRequest.message, 'Marker req-9 could not be found.');
    res = await get('?changes-since=2026-01-02T00:00:00Z', '2.58');
    assert.deepEqual(res.json().instanceActions.map((a: any) => a.request_id), ['req-3', 'req-2']);
  });

  it('refuses bad query parameters from 2.58; 2.66 adds changes-before', async () => {
    for (const q of ['?limit=-1', '?limit=x', '?changes-since=yesterday', '?bogus=1', '?changes-before=2026-01-02T00:00:00Z']) {
      const res = await get(q, '2.58');
      assert.equal(res.statusCode, 400, `${q} → ${res.body}`);
    }
    assert.equal((await get('?bogus=1', '2.57')).statusCode, 200);
    let res = await get('?changes-before=2026-01-02T12:00:00Z', '2.66');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().instanceActions.map((a: any) => a.request_id), ['req-2', 'req-1']);
    res = await get('?changes-since=2026-01-03T00:00:00Z&changes-before=2026-01-02T00:00:00Z', '2.66');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().badRequest.message, 'The value of changes-since must be less than or equal to changes-before.');
  });

  it('shows one action: owners see no events before 2.51, events without traceback from 2.51', async () => {
    let res = await get('/req-3', '2.1');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().instanceAction.events, undefined);
    assert.equal(res.json().instanceAction.action, 'reboot');
    res = await get('/req-3', '2.51');
    assert.deepEqual(res.json().instanceAction.events, [
      { event: 'compute_reboot_instance', start_time: '2026-01-03T10:00:02.000000', finish_time: '2026-01-03T10:00:02.000000', result: 'Error' },
    ]);
    res = await get('/req-1', '2.62');
    const events = res.json().instanceAction.events as Record<string, unknown>[];
    assert.deepEqual(events.map((e) => e.event), ['compute__do_build_and_run_instance', 'conductor_schedule_and_build_instances']);
    const hostId = createHash('sha224').update(`${h.alice.projectId}host-a`).digest('hex');
    assert.deepEqual(Object.keys(events[0]!).sort(), ['event', 'finish_time', 'hostId', 'result', 'start_time']);
    assert.equal(events[0]!.hostId, hostId);
    assert.equal(res.json().instanceAction.updated_at, '2026-01-01T10:00:00.000000');
  });

  it('admins see events with traceback at every version, host from 2.62, details from 2.84', async () => {
    let res = await get('/req-3', '2.1', h.adminToken);
    assert.deepEqual(res.json().instanceAction.events, [
      { event: 'compute_reboot_instance', start_time: '2026-01-03T10:00:02.000000', finish_time: '2026-01-03T10:00:02.000000', result: 'Error', traceback: 'Traceback (most recent call last): boom' },
    ]);
    res = await get('/req-3', '2.62', h.adminToken);
    assert.equal(res.json().instanceAction.events[0].host, 'host-a');
    assert.equal(res.json().instanceAction.events[0].details, undefined);
    res = await get('/req-3', '2.84', h.adminToken);
    assert.equal(res.json().instanceAction.events[0].details, 'Build failed');
    res = await get('/req-3', '2.84');
    assert.equal(res.json().instanceAction.events[0].details, undefined);
    assert.equal(res.json().instanceAction.events[0].host, undefined);
  });

  it('an unknown request id is a 404; another project\'s server is a 404', async () => {
    let res = await get('/req-nope', '2.1');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().itemNotFound.message, 'Action req-nope not found');
    res = await get('', '2.1', h.bob.token);
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().itemNotFound.message, `Instance ${vm.uuid} could not be found.`);
    assert.equal((await get('/req-1', '2.1', h.bob.token)).statusCode, 404);
  });

  it('deleted servers\' actions are visible from 2.21', async () => {
    const gone = await insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId, deleted: 1, vm_state: 'deleted' });
    await addAction(gone.uuid, 'delete', 'req-del', '2026-01-04T10:00:00Z');
    const url = `/v2.1/servers/${gone.uuid}/os-instance-actions`;
    assert.equal((await h.request('GET', url, { token: h.alice.token, version: '2.20' })).statusCode, 404);
    const res = await h.request('GET', url, { token: h.alice.token, version: '2.21' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().instanceActions.map((a: any) => a.action), ['delete']);
    assert.equal((await h.request('GET', `${url}/req-del`, { token: h.alice.token, version: '2.21' })).statusCode, 200);
  });
});

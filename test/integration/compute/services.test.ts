// os-services through the real compute app, with services registered over the bus by the
// conductor (as agents do): `openstack compute service list` shapes at 2.1, 2.11 and 2.53+,
// liveness by service_down_time, disable/enable/force-down (legacy and 2.53), delete, and bad
// input answered with Nova's faults.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Server } from '../../../src/bus/index.js';
import { CONDUCTOR_TOPIC, serveConductor } from '../../../src/compute/conductor/index.js';
import { nowIso } from '../../../src/compute/db/transaction.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

const NODE_UUID = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('os-services', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  let conductor: Server;

  const heartbeat = (host: string, binary: string, topic: string) => bus.call({ topic: CONDUCTOR_TOPIC }, 'service_update', { host, binary, topic });
  const svc = (host: string, binary = 'nova-compute') =>
    h.db.selectFrom('nova_service').selectAll().where('host', '=', host).where('binary', '=', binary).executeTakeFirstOrThrow();
  const list = async (version: string, query = '') => {
    const res = await h.request('GET', `/v2.1/os-services${query}`, { version });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().services as Record<string, any>[];
  };

  before(async () => {
    bus = new MemoryBus();
    h = await startCompute({ bus });
    conductor = await serveConductor(bus, h.deps, 'ctl');
  });
  after(async () => {
    await conductor?.stop();
    await h?.close();
    await bus?.close();
  });
  beforeEach(async () => {
    for (const t of ['nova_instance', 'nova_compute_node', 'nova_aggregate_host', 'nova_service'] as const) await h.db.deleteFrom(t).execute();
    await heartbeat('ctl', 'nova-conductor', 'conductor');
    await heartbeat('ctl', 'nova-scheduler', 'scheduler');
    await heartbeat('ctl', 'nova-osapi_compute', 'osapi_compute');
    await heartbeat('cmp1', 'nova-compute', 'compute');
    await heartbeat('cmp2', 'nova-compute', 'compute');
    await bus.call({ topic: CONDUCTOR_TOPIC }, 'compute_node_update', {
      uuid: NODE_UUID, host: 'cmp1', hypervisor_hostname: 'cmp1', hypervisor_type: 'QEMU', hypervisor_version: 7002000, vcpus: 2,
      memory_mb: 4096, local_gb: 20, vcpus_used: 0, memory_mb_used: 512, local_gb_used: 0, running_vms: 0, disk_available_least: 18,
      cpu_info: { arch: 'x86_64' },
    });
  });

  it('lists services as `openstack compute service list` reads them at 2.1 (API services left out)', async () => {
    const services = await list('2.1');
    assert.deepEqual(services.map((s) => [s.binary, s.host, s.zone]), [
      ['nova-conductor', 'ctl', 'internal'], ['nova-scheduler', 'ctl', 'internal'], ['nova-compute', 'cmp1', 'nova'], ['nova-compute', 'cmp2', 'nova'],
    ]);
    const cmp1 = services[2]!;
    assert.deepEqual(Object.keys(cmp1).sort(), ['binary', 'disabled_reason', 'host', 'id', 'state', 'status', 'updated_at', 'zone']);
    assert.equal(cmp1.id, (await svc('cmp1')).id);
    assert.equal(typeof cmp1.id, 'number');
    assert.equal(cmp1.state, 'up');
    assert.equal(cmp1.status, 'enabled');
    assert.equal(cmp1.disabled_reason, null);
    assert.match(cmp1.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000$/);
  });

  it('adds forced_down at 2.11 and uuid ids at 2.53; filters by host and binary', async () => {
    assert.equal((await list('2.11'))[0]!.forced_down, false);
    const at253 = await list('2.53');
    assert.equal(at253[2]!.id, (await svc('cmp1')).uuid);
    assert.deepEqual((await list('2.53', '?host=cmp1')).map((s) => s.binary), ['nova-compute']);
    assert.deepEqual((await list('2.1', '?binary=nova-compute')).map((s) => s.host), ['cmp1', 'cmp2']);
    assert.deepEqual((await list('2.1', '?binary=nova-compute&host=ctl')), []);
    // Unknown parameters are ignored before 2.75 and refused from it.
    assert.equal((await list('2.74', '?bogus=1')).length, 4);
    const refused = await h.request('GET', '/v2.1/os-services?bogus=1', { version: '2.75' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().badRequest.message, /Additional properties are not allowed \('bogus' was unexpected\)/);
  });

  it('shows a service down after service_down_time without a heartbeat, and up again after one', async () => {
    const old = new Date(Date.now() - 61_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await h.db.updateTable('nova_service').set({ last_seen_up: old }).where('host', '=', 'cmp2').execute();
    const services = await list('2.1', '?host=cmp2');
    assert.equal(services[0]!.state, 'down');
    assert.equal(services[0]!.updated_at, `${old.slice(0, -1)}.000000`);
    const zones = (await h.request('GET', '/v2.1/os-availability-zone/detail')).json().availabilityZoneInfo as Record<string, any>[];
    assert.equal(zones.find((z) => z.zoneName === 'nova')!.hosts.cmp2['nova-compute'].available, false);
    await heartbeat('cmp2', 'nova-compute', 'compute');
    assert.equal((await list('2.1', '?host=cmp2'))[0]!.state, 'up');
    assert.ok((await svc('cmp2')).report_count >= 2);
  });

  it('is admin only', async () => {
    const res = await h.request('GET', '/v2.1/os-services', { token: h.alice.token });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), { forbidden: { code: 403, message: 'Policy doesn\'t allow os_compute_api:os-services:list to be performed.' } });
    const id = (await svc('cmp1')).uuid;
    for (const [method, url, body] of [['PUT', `/v2.1/os-services/${id}`, { status: 'disabled' }], ['DELETE', `/v2.1/os-services/${id}`, undefined]] as const) {
      const r = await h.request(method, url, { token: h.alice.token, version: '2.53', ...(body ? { body } : {}) });
      assert.equal(r.statusCode, 403, r.body);
    }
    assert.equal((await svc('cmp1')).disabled, 0);
  });

  it('disables, enables and forces down with the legacy actions (< 2.53)', async () => {
    const disable = await h.request('PUT', '/v2.1/os-services/disable', { body: { host: 'cmp1', binary: 'nova-compute' } });
    assert.equal(disable.statusCode, 200, disable.body);
    assert.deepEqual(disable.json(), { service: { host: 'cmp1', binary: 'nova-compute', status: 'disabled' } });
    assert.equal((await list('2.1', '?host=cmp1'))[0]!.status, 'disabled');
    const reason = await h.request('PUT', '/v2.1/os-services/disable-log-reason', { body: { host: 'cmp1', binary: 'nova-compute', disabled_reason: 'broken' } });
    assert.deepEqual(reason.json(), { service: { host: 'cmp1', binary: 'nova-compute', status: 'disabled', disabled_reason: 'broken' } });
    assert.equal((await list('2.1', '?host=cmp1'))[0]!.disabled_reason, 'broken');
    // A zone with only disabled compute services is not available.
    await h.request('PUT', '/v2.1/os-services/disable', { body: { host: 'cmp2', binary: 'nova-compute' } });
    assert.deepEqual((await h.request('GET', '/v2.1/os-availability-zone', { token: h.alice.token })).json().availabilityZoneInfo,
      [{ zoneName: 'nova', zoneState: { available: false }, hosts: null }]);
    const enable = await h.request('PUT', '/v2.1/os-services/enable', { body: { host: 'cmp1', binary: 'nova-compute' } });
    assert.deepEqual(enable.json(), { service: { host: 'cmp1', binary: 'nova-compute', status: 'enabled' } });
    const after = await svc('cmp1');
    assert.equal(after.disabled, 0);
    assert.equal(after.disabled_reason, null);

    const down = await h.request('PUT', '/v2.1/os-services/force-down', { version: '2.11', body: { host: 'cmp1', binary: 'nova-compute', forced_down: true } });
    assert.equal(down.statusCode, 200, down.body);
    assert.deepEqual(down.json(), { service: { host: 'cmp1', binary: 'nova-compute', forced_down: true } });
    const shown = (await list('2.11', '?host=cmp1'))[0]!;
    assert.equal(shown.state, 'down');
    assert.equal(shown.forced_down, true);
    const up = await h.request('PUT', '/v2.1/os-services/force-down', { version: '2.11', body: { host: 'cmp1', binary: 'nova-compute', forced_down: 'false' } });
    assert.deepEqual(up.json(), { service: { host: 'cmp1', binary: 'nova-compute', forced_down: false } });
  });

  it('refuses bad legacy updates with Nova\'s faults', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['2.10', 'force-down', { host: 'cmp1', binary: 'nova-compute' }, 404, /^Unknown action$/],
      ['2.1', 'reboot', { host: 'cmp1', binary: 'nova-compute' }, 404, /^Unknown action$/],
      ['2.1', 'disable', { host: 'nowhere', binary: 'nova-compute' }, 404, /^Could not find binary nova-compute on host nowhere\.$/],
      ['2.1', 'disable-log-reason', { host: 'cmp1', binary: 'nova-compute' }, 400, /^Missing disabled reason field$/],
      ['2.11', 'force-down', { host: 'cmp1', binary: 'nova-compute' }, 400, /^Missing forced_down field$/],
      ['2.1', 'disable', { host: 'cmp1' }, 400, /'binary' is a required property/],
      ['2.1', 'disable', { host: 'cmp1', binary: 'nova-compute', forced_down: true }, 400, /Additional properties are not allowed/],
      ['2.11', 'force-down', { host: 'cmp1', binary: 'nova-compute', forced_down: 'maybe' }, 400, /Invalid input for field\/attribute forced_down/],
      ['2.1', 'disable', { host: '', binary: 'nova-compute' }, 400, /Invalid input for field\/attribute host/],
      ['2.1', 'disable-log-reason', { host: 'cmp1', binary: 'nova-compute', disabled_reason: 'x'.repeat(256) }, 400, /is too long/],
      ['2.1', 'disable', [], 400, /is not of type 'object'/],
    ];
    for (const [version, action, body, status, message] of cases) {
      const res = await h.request('PUT', `/v2.1/os-services/${action}`, { version, body });
      assert.equal(res.statusCode, status, `${action} ${JSON.stringify(body)}: ${res.body}`);
      const fault = res.json()[status === 404 ? 'itemNotFound' : 'badRequest'];
      assert.match(fault.message, message);
    }
    assert.equal((await svc('cmp1')).disabled, 0);
  });

  it('updates a compute service by uuid at 2.53', async () => {
    const { uuid } = await svc('cmp1');
    const off = await h.request('PUT', `/v2.1/os-services/${uuid}`, { version: '2.53', body: { status: 'disabled', disabled_reason: 'maintenance' } });
    assert.equal(off.statusCode, 200, off.body);
    const service = off.json().service;
    assert.deepEqual(Object.keys(service).sort(), ['binary', 'disabled_reason', 'forced_down', 'host', 'id', 'state', 'status', 'updated_at', 'zone']);
    assert.deepEqual([service.id, service.status, service.disabled_reason, service.forced_down, service.zone], [uuid, 'disabled', 'maintenance', false, 'nova']);
    const forced = await h.request('PUT', `/v2.1/os-services/${uuid}`, { version: '2.53', body: { forced_down: true } });
    assert.deepEqual([forced.json().service.state, forced.json().service.status], ['down', 'disabled']);
    const on = await h.request('PUT', `/v2.1/os-services/${uuid}`, { version: '2.53', body: { status: 'enabled', forced_down: false } });
    assert.deepEqual([on.json().service.state, on.json().service.status, on.json().service.disabled_reason], ['up', 'enabled', null]);
  });

  it('refuses bad 2.53 updates', async () => {
    const { uuid } = await svc('cmp1');
    const conductorUuid = (await svc('ctl', 'nova-conductor')).uuid;
    const cases: [string, unknown, number, string | RegExp][] = [
      ['disable', { status: 'disabled' }, 400, 'Invalid uuid disable'],
      ['00000000-0000-4000-8000-000000000000', { status: 'disabled' }, 404, 'Service 00000000-0000-4000-8000-000000000000 could not be found.'],
      [uuid, {}, 400, "No updates were requested. Fields 'status' or 'forced_down' should be specified."],
      [uuid, { disabled_reason: 'x' }, 400, "No updates were requested. Fields 'status' or 'forced_down' should be specified."],
      [uuid, { status: 'enabled', disabled_reason: 'x' }, 400, "Specifying 'disabled_reason' with status 'enabled' is invalid."],
      [uuid, { forced_down: true, disabled_reason: 'x' }, 400, "Specifying 'disabled_reason' with status 'None' is invalid."],
      [uuid, { status: 'off' }, 400, /Invalid input for field\/attribute status/],
      [uuid, { status: 'disabled', host: 'cmp1' }, 400, /Additional properties are not allowed/],
      [uuid, { status: 'disabled', disabled_reason: '' }, 400, /Invalid input for field\/attribute disabled_reason/],
      [conductorUuid, { status: 'disabled' }, 400, 'Updating a nova-conductor service is not supported. Only nova-compute services can be updated.'],
    ];
    for (const [id, body, status, message] of cases) {
      const res = await h.request('PUT', `/v2.1/os-services/${id}`, { version: '2.53', body });
      assert.equal(res.statusCode, status, `${id} ${JSON.stringify(body)}: ${res.body}`);
      const fault = res.json()[status === 404 ? 'itemNotFound' : 'badRequest'];
      if (typeof message === 'string') assert.equal(fault.message, message);
      else assert.match(fault.message, message);
    }
    assert.equal((await svc('cmp1')).disabled, 0);
  });

  it('deletes services by id (< 2.53) and uuid (2.53), with their compute nodes and aggregate memberships', async () => {
    const scheduler = await svc('ctl', 'nova-scheduler');
    const del = await h.request('DELETE', `/v2.1/os-services/${scheduler.id}`);
    assert.equal(del.statusCode, 204, del.body);
    assert.equal(del.body, '');
    const now = nowIso();
    await h.db.insertInto('nova_aggregate').values({ id: 1, uuid: '00000000-0000-4000-8000-0000000000a1', name: 'agg', created_at: now, updated_at: now })
      .onConflict((oc) => oc.doNothing()).execute();
    await h.db.insertInto('nova_aggregate_host').values({ aggregate_id: 1, host: 'cmp1' }).execute();
    const cmp1 = await svc('cmp1');
    const gone = await h.request('DELETE', `/v2.1/os-services/${cmp1.uuid}`, { version: '2.53' });
    assert.equal(gone.statusCode, 204, gone.body);
    assert.equal((await h.db.selectFrom('nova_compute_node').selectAll().execute()).length, 0);
    assert.equal((await h.db.selectFrom('nova_aggregate_host').selectAll().execute()).length, 0);
    assert.deepEqual((await list('2.1')).map((s) => s.binary + '@' + s.host), ['nova-conductor@ctl', 'nova-compute@cmp2']);
  });

  it('answers garbage with 4xx Nova faults and changes nothing', async () => {
    const before = JSON.stringify(await h.db.selectFrom('nova_service').selectAll().orderBy('id').execute());
    const { uuid } = await svc('cmp1');
    const bodies: unknown[] = [null, 0, 'x', [], {}, { host: null, binary: null }, { host: ['cmp1'], binary: 'nova-compute' },
      { host: 'cmp1', binary: 'x'.repeat(300) }, { status: null }, { status: 'disabled', forced_down: [] }, { forced_down: 'sometimes' },
      { host: 'cmp1', binary: 'nova-compute', disabled_reason: 5 }, { status: 'enabled\u0000' }, { service: { status: 'disabled' } }];
    const ids = ['enable', 'disable', 'disable-log-reason', 'force-down', uuid, uuid.toUpperCase(), '%00', 'x'.repeat(300), '1', '-1', '1e3'];
    let sent = 0;
    for (const version of ['2.1', '2.11', '2.52', '2.53', '2.95']) {
      for (const id of ids) {
        for (const body of bodies) {
          const res = await h.request('PUT', `/v2.1/os-services/${encodeURIComponent(id)}`, { version, body });
          sent += 1;
          assert.ok(res.statusCode >= 400 && res.statusCode < 500, `PUT ${id} ${JSON.stringify(body)} @${version}: ${res.statusCode} ${res.body}`);
          const [name] = Object.keys(res.json());
          assert.ok(['badRequest', 'itemNotFound'].includes(name!), res.body);
        }
        const raw = await h.request('PUT', `/v2.1/os-services/${encodeURIComponent(id)}`, { version, payload: '{"status": ', contentType: 'application/json' });
        assert.equal(raw.statusCode, 400, raw.body);
      }
      for (const id of ['abc', '1.5', '99999999999999999999', '00000000-0000-4000-8000-00000000000z', 'x'.repeat(300)]) {
        const res = await h.request('DELETE', `/v2.1/os-services/${encodeURIComponent(id)}`, { version });
        sent += 1;
        assert.ok(res.statusCode === 400 || res.statusCode === 404, `DELETE ${id} @${version}: ${res.statusCode} ${res.body}`);
      }
      for (const q of ['?host=%00', '?binary=' + 'x'.repeat(2000), '?host=a&host=b', '?limit=x']) {
        const res = await h.request('GET', `/v2.1/os-services${q}`, { version });
        assert.ok(res.statusCode < 500, `${q}: ${res.body}`);
      }
    }
    assert.ok(sent > 500);
    assert.equal(JSON.stringify(await h.db.selectFrom('nova_service').selectAll().orderBy('id').execute()), before);
  });

  it('refuses bad deletes and keeps a compute service that hosts servers', async () => {
    const cmp2 = await svc('cmp2');
    const cases: [string, string, number, string][] = [
      ['2.1', 'abc', 400, 'Invalid input received: id must be an integer'],
      ['2.1', '999', 404, 'Service 999 could not be found.'],
      ['2.53', String(cmp2.id), 400, `Invalid uuid ${cmp2.id}`],
      ['2.53', '00000000-0000-4000-8000-000000000000', 404, 'Service 00000000-0000-4000-8000-000000000000 could not be found.'],
    ];
    for (const [version, id, status, message] of cases) {
      const res = await h.request('DELETE', `/v2.1/os-services/${id}`, { version });
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json()[status === 404 ? 'itemNotFound' : 'badRequest'].message, message);
    }
    const now = nowIso();
    await h.db.insertInto('nova_instance').values({
      uuid: '11111111-2222-4333-8444-555555555555', id: 1, project_id: h.alice.projectId, user_id: h.alice.userId, display_name: 'vm',
      display_description: null, hostname: 'vm', vm_state: 'active', task_state: null, power_state: 1, host: 'cmp2', node: 'cmp2',
      compute_node_uuid: null, availability_zone: 'nova', requested_availability_zone: null, flavor: '{}', vcpus: 1, memory_mb: 64,
      root_gb: 1, ephemeral_gb: 0, image_ref: '', key_name: null, key_data: null, user_data: null, config_drive: '', access_ip_v4: null,
      access_ip_v6: null, locked: 0, locked_by: null, locked_reason: null, reservation_id: 'r-1', launch_index: 0, root_device_name: null,
      progress: 0, system_metadata: '{}', created_at: now, updated_at: now, scheduled_at: null, launched_at: null,
      terminated_at: null, deleted: 0, deleted_at: null,
    }).execute();
    const busy = await h.request('DELETE', `/v2.1/os-services/${cmp2.id}`);
    assert.equal(busy.statusCode, 409);
    assert.equal(busy.json().conflictingRequest.message, 'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.');
    assert.ok(await svc('cmp2'));
  });
});

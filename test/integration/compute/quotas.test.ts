// Quota sets, quota classes, limits and availability zones through the real compute app.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { nowIso } from '../../../src/compute/db/transaction.js';

const DEFAULTS_21 = {
  cores: 20, fixed_ips: -1, floating_ips: -1, injected_file_content_bytes: 10240, injected_file_path_bytes: 255, injected_files: 5,
  instances: 10, key_pairs: 100, metadata_items: 128, ram: 51200, security_group_rules: -1, security_groups: -1,
  server_group_members: 10, server_groups: 10,
};

describe('compute quotas, limits and availability zones', () => {
  let h: ComputeHarness;
  before(async () => { h = await startCompute(); });
  after(async () => { await h?.close(); });

  it('shows Nova\'s defaults, with resources dropped at 2.36 and 2.57', async () => {
    const res = await h.request('GET', `/v2.1/os-quota-sets/${h.alice.projectId}`, { token: h.alice.token });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().quota_set, { id: h.alice.projectId, ...DEFAULTS_21 });
    const at236 = (await h.request('GET', `/v2.1/os-quota-sets/${h.alice.projectId}`, { token: h.alice.token, version: '2.36' })).json().quota_set;
    assert.equal(at236.floating_ips, undefined);
    assert.equal(at236.injected_files, 5);
    const at257 = (await h.request('GET', `/v2.1/os-quota-sets/${h.alice.projectId}/defaults`, { token: h.alice.token, version: '2.57' })).json().quota_set;
    assert.deepEqual(Object.keys(at257).sort(), ['cores', 'id', 'instances', 'key_pairs', 'metadata_items', 'ram', 'server_group_members', 'server_groups']);
  });

  it('updates, shows detail with usage, and resets a project\'s quotas', async () => {
    const update = await h.request('PUT', `/v2.1/os-quota-sets/${h.alice.projectId}`, { body: { quota_set: { instances: 45, cores: '30', force: 'True' } } });
    assert.equal(update.statusCode, 200, update.body);
    const set = update.json().quota_set;
    assert.equal(set.id, undefined);
    assert.equal(set.instances, 45);
    assert.equal(set.cores, 30);
    await h.db.insertInto('nova_instance').values({
      uuid: '11111111-2222-3333-4444-555555555555', id: 1, project_id: h.alice.projectId, user_id: h.alice.userId, display_name: 'vm',
      display_description: null, hostname: 'vm', vm_state: 'active', task_state: null, power_state: 1, host: null, node: null,
      compute_node_uuid: null, availability_zone: null, requested_availability_zone: null, flavor: '{}', vcpus: 2, memory_mb: 512,
      root_gb: 1, ephemeral_gb: 0, image_ref: '', key_name: null, key_data: null, user_data: null, config_drive: '', access_ip_v4: null,
      access_ip_v6: null, locked: 0, locked_by: null, locked_reason: null, reservation_id: 'r-1', launch_index: 0, root_device_name: null,
      progress: 0, system_metadata: '{}', created_at: nowIso(), updated_at: nowIso(), scheduled_at: null, launched_at: null,
      terminated_at: null, deleted: 0, deleted_at: null,
    }).execute();
    const detail = (await h.request('GET', `/v2.1/os-quota-sets/${h.alice.projectId}/detail`, { token: h.alice.token })).json().quota_set;
    assert.deepEqual(detail.instances, { in_use: 1, limit: 45, reserved: 0 });
    assert.deepEqual(detail.cores, { in_use: 2, limit: 30, reserved: 0 });
    assert.deepEqual(detail.ram, { in_use: 512, limit: 51200, reserved: 0 });
    assert.deepEqual(detail.key_pairs, { in_use: 0, limit: 100, reserved: 0 });

    const below = await h.request('PUT', `/v2.1/os-quota-sets/${h.alice.projectId}`, { body: { quota_set: { cores: 1 } } });
    assert.equal(below.statusCode, 400);
    assert.equal(below.json().badRequest.message, 'Quota limit 1 for cores must be greater than or equal to already used and reserved 2.');
    const forced = await h.request('PUT', `/v2.1/os-quota-sets/${h.alice.projectId}`, { body: { quota_set: { cores: 1, force: true } } });
    assert.equal(forced.statusCode, 200);

    const limits = (await h.request('GET', '/v2.1/limits', { token: h.alice.token })).json().limits;
    assert.deepEqual(limits.rate, []);
    assert.equal(limits.absolute.maxTotalInstances, 45);
    assert.equal(limits.absolute.totalInstancesUsed, 1);
    assert.equal(limits.absolute.totalCoresUsed, 2);
    assert.equal(limits.absolute.totalRAMUsed, 512);

    const reset = await h.request('DELETE', `/v2.1/os-quota-sets/${h.alice.projectId}`);
    assert.equal(reset.statusCode, 202);
    assert.equal((await h.request('GET', `/v2.1/os-quota-sets/${h.alice.projectId}`)).json().quota_set.instances, 10);
  });

  it('keeps per-user quotas under the project\'s', async () => {
    const url = `/v2.1/os-quota-sets/${h.bob.projectId}?user_id=${h.bob.userId}`;
    const over = await h.request('PUT', url, { body: { quota_set: { instances: 11 } } });
    assert.equal(over.statusCode, 400);
    assert.equal(over.json().badRequest.message, 'Quota limit 11 for instances must be less than or equal to 10.');
    const ok = await h.request('PUT', url, { body: { quota_set: { instances: 3 } } });
    assert.equal(ok.json().quota_set.instances, 3);
    assert.equal((await h.request('GET', url, { token: h.bob.token })).json().quota_set.instances, 3);
    assert.equal((await h.request('GET', `/v2.1/os-quota-sets/${h.bob.projectId}`, { token: h.bob.token })).json().quota_set.instances, 10);
    assert.equal((await h.request('DELETE', url)).statusCode, 202);
    assert.equal((await h.request('GET', url)).json().quota_set.instances, 10);
  });

  it('applies policy and validates bodies', async () => {
    const other = await h.request('GET', `/v2.1/os-quota-sets/${h.bob.projectId}`, { token: h.alice.token });
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().forbidden.message, "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.");
    assert.equal((await h.request('GET', `/v2.1/os-quota-sets/${h.bob.projectId}/defaults`, { token: h.alice.token })).statusCode, 200);
    assert.equal((await h.request('PUT', `/v2.1/os-quota-sets/${h.alice.projectId}`, { token: h.alice.token, body: { quota_set: { instances: 1 } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v2.1/os-quota-sets/${h.alice.projectId}`, { token: h.alice.token })).statusCode, 403);
    const cases: [unknown, string | undefined, RegExp][] = [
      [{ quota_set: { instances: -2 } }, undefined, /-2 is less than the minimum of -1$/],
      [{ quota_set: { instances: 'lots' } }, undefined, /does not match/],
      [{ quota_set: { bogus: 1 } }, undefined, /Additional properties are not allowed \('bogus' was unexpected\)$/],
      [{ quota_set: { floating_ips: 1 } }, '2.36', /Additional properties are not allowed \('floating_ips' was unexpected\)$/],
      [{ quota_set: { injected_files: 1 } }, '2.57', /Additional properties are not allowed/],
      [{ quota_set: { networks: 1 } }, undefined, /^The networks quota has been removed$/],
      [{ quota_set: { force: 'perhaps' } }, undefined, /is not one of/],
    ];
    for (const [body, version, message] of cases) {
      const res = await h.request('PUT', `/v2.1/os-quota-sets/${h.alice.projectId}`, { body, ...(version ? { version } : {}) });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.match(res.json().badRequest.message, message);
    }
    const unknown = await h.request('GET', '/v2.1/os-quota-sets/no-such-project');
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().badRequest.message, 'Project ID no-such-project is not a valid project.');
    const extraQuery = await h.request('GET', `/v2.1/os-quota-sets/${h.alice.projectId}?foo=1`, { version: '2.75' });
    assert.equal(extraQuery.statusCode, 400);
  });

  it('keeps quota classes, with the default class overriding the configured defaults', async () => {
    const shown = await h.request('GET', '/v2.1/os-quota-class-sets/default');
    assert.equal(shown.statusCode, 200);
    const set21 = shown.json().quota_class_set;
    assert.equal(set21.id, 'default');
    assert.equal(set21.server_groups, undefined);
    assert.equal(set21.floating_ips, -1);
    const at250 = (await h.request('GET', '/v2.1/os-quota-class-sets/default', { version: '2.50' })).json().quota_class_set;
    assert.equal(at250.server_groups, 10);
    assert.equal(at250.floating_ips, undefined);
    const update = await h.request('PUT', '/v2.1/os-quota-class-sets/default', { version: '2.57', body: { quota_class_set: { instances: 20, ram: '1024' } } });
    assert.equal(update.statusCode, 200, update.body);
    assert.equal(update.json().quota_class_set.id, undefined);
    assert.equal(update.json().quota_class_set.instances, 20);
    const t = await h.tenant();
    const quota = (await h.request('GET', `/v2.1/os-quota-sets/${t.projectId}`, { token: t.token })).json().quota_set;
    assert.equal(quota.instances, 20);
    assert.equal(quota.ram, 1024);
    assert.equal((await h.request('GET', `/v2.1/os-quota-sets/${t.projectId}/defaults`, { token: t.token })).json().quota_set.instances, 20);
    assert.equal((await h.request('GET', '/v2.1/os-quota-class-sets/default', { token: t.token })).statusCode, 403);
    const bad = await h.request('PUT', '/v2.1/os-quota-class-sets/default', { version: '2.50', body: { quota_class_set: { fixed_ips: 1 } } });
    assert.equal(bad.statusCode, 400);
    await h.request('PUT', '/v2.1/os-quota-class-sets/default', { body: { quota_class_set: { instances: 10, ram: 51200 } } });
  });

  it('shows limits filtered by microversion, and other projects\' only to admins', async () => {
    const at21 = (await h.request('GET', '/v2.1/limits', { token: h.bob.token })).json().limits.absolute;
    assert.deepEqual(Object.keys(at21).sort(), [
      'maxImageMeta', 'maxPersonality', 'maxPersonalitySize', 'maxSecurityGroupRules', 'maxSecurityGroups', 'maxServerGroupMembers',
      'maxServerGroups', 'maxServerMeta', 'maxTotalCores', 'maxTotalFloatingIps', 'maxTotalInstances', 'maxTotalKeypairs', 'maxTotalRAMSize',
      'totalCoresUsed', 'totalFloatingIpsUsed', 'totalInstancesUsed', 'totalRAMUsed', 'totalSecurityGroupsUsed', 'totalServerGroupsUsed',
    ]);
    assert.equal(at21.maxTotalCores, 20);
    const at257 = (await h.request('GET', '/v2.1/limits', { token: h.bob.token, version: '2.57' })).json().limits.absolute;
    assert.deepEqual(Object.keys(at257).sort(), [
      'maxServerGroupMembers', 'maxServerGroups', 'maxServerMeta', 'maxTotalCores', 'maxTotalInstances', 'maxTotalKeypairs', 'maxTotalRAMSize',
      'totalCoresUsed', 'totalInstancesUsed', 'totalRAMUsed', 'totalServerGroupsUsed',
    ]);
    const forbidden = await h.request('GET', `/v2.1/limits?tenant_id=${h.alice.projectId}`, { token: h.bob.token });
    assert.equal(forbidden.statusCode, 403);
    const admin = await h.request('GET', `/v2.1/limits?tenant_id=${h.alice.projectId}`);
    assert.equal(admin.json().limits.absolute.totalInstancesUsed, 1);
  });

  it('lists availability zones from compute services, with details for admins', async () => {
    assert.deepEqual((await h.request('GET', '/v2.1/os-availability-zone', { token: h.alice.token })).json(), { availabilityZoneInfo: [] });
    const now = nowIso();
    const service = (id: number, host: string, binary: string, disabled = 0) => ({
      id, uuid: `00000000-0000-0000-0000-00000000000${id}`, host, binary, topic: binary === 'nova-compute' ? 'compute' : binary.slice(5),
      report_count: 1, disabled, disabled_reason: null, forced_down: 0, last_seen_up: now, version: 1, created_at: now, updated_at: now,
    });
    await h.db.insertInto('nova_service').values([
      service(1, 'ctl', 'nova-conductor'), service(2, 'cmp1', 'nova-compute'), service(3, 'cmp2', 'nova-compute'), service(4, 'cmp3', 'nova-compute', 1),
    ]).execute();
    await h.db.insertInto('nova_aggregate').values({ id: 1, uuid: '00000000-0000-0000-0000-0000000000a1', name: 'agg', created_at: now, updated_at: now }).execute();
    await h.db.insertInto('nova_aggregate_host').values([{ aggregate_id: 1, host: 'cmp2' }, { aggregate_id: 1, host: 'cmp3' }]).execute();
    await h.db.insertInto('nova_aggregate_metadata').values({ aggregate_id: 1, key: 'availability_zone', value: 'az2' }).execute();
    const list = await h.request('GET', '/v2.1/os-availability-zone', { token: h.alice.token });
    assert.deepEqual(list.json(), {
      availabilityZoneInfo: [
        { zoneName: 'nova', zoneState: { available: true }, hosts: null },
        { zoneName: 'az2', zoneState: { available: true }, hosts: null },
      ],
    });
    assert.equal((await h.request('GET', '/v2.1/os-availability-zone/detail', { token: h.alice.token })).statusCode, 403);
    const detail = (await h.request('GET', '/v2.1/os-availability-zone/detail')).json().availabilityZoneInfo as Record<string, any>[];
    assert.deepEqual(detail.map((z) => z.zoneName), ['internal', 'nova', 'az2']);
    assert.deepEqual(Object.keys(detail[0]!.hosts.ctl), ['nova-conductor']);
    const cmp1 = detail[1]!.hosts.cmp1['nova-compute'];
    assert.equal(cmp1.available, true);
    assert.equal(cmp1.active, true);
    assert.match(cmp1.updated_at, /\.000000$/);
    assert.deepEqual(Object.keys(detail[2]!.hosts), ['cmp2']);
  });
});

// os-aggregates through the real compute app: CRUD, add_host/remove_host/set_metadata with Nova's
// statuses and messages, availability-zone semantics (os-services and os-availability-zone read
// the zone the aggregates give), admin-only policy, uuid from 2.41, and the Placement mirror of
// host membership (a recording fake Placement client; one that fails is only logged).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ComputeClients } from '../../../src/compute/clients.js';
import { nowIso } from '../../../src/compute/db/transaction.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

const NODE1 = '11111111-2222-4333-8444-555555555555';

class FakePlacement {
  readonly aggregates = new Map<string, string[]>();
  failing = false;
  withRequestId(): this { return this; }
  async getProviderAggregates(uuid: string): Promise<{ aggregates: string[]; resource_provider_generation: number }> {
    if (this.failing) throw new Error('placement is down');
    return { aggregates: [...(this.aggregates.get(uuid) ?? [])], resource_provider_generation: 1 };
  }
  async setProviderAggregates(uuid: string, aggregates: readonly string[]): Promise<number> {
    if (this.failing) throw new Error('placement is down');
    this.aggregates.set(uuid, [...aggregates]);
    return 2;
  }
}

describe('os-aggregates', () => {
  let h: ComputeHarness;
  const placement = new FakePlacement();

  const insertService = async (id: number, host: string, binary = 'nova-compute') => {
    const now = nowIso();
    await h.db.insertInto('nova_service').values({
      id, uuid: `00000000-0000-4000-8000-00000000000${id}`, host, binary, topic: binary === 'nova-compute' ? 'compute' : 'scheduler',
      report_count: 1, disabled: 0, disabled_reason: null, forced_down: 0, last_seen_up: now, version: 66, created_at: now, updated_at: now,
    }).execute();
  };
  const create = async (aggregate: Record<string, unknown>, version?: string) => {
    const res = await h.request('POST', '/v2.1/os-aggregates', { body: { aggregate }, ...(version ? { version } : {}) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().aggregate as Record<string, any>;
  };
  const action = (id: unknown, body: unknown, version?: string) =>
    h.request('POST', `/v2.1/os-aggregates/${id}/action`, { body, ...(version ? { version } : {}) });

  before(async () => {
    h = await startCompute({ clients: { placement } as unknown as ComputeClients });
  });
  after(async () => { await h?.close(); });
  beforeEach(async () => {
    for (const t of ['nova_aggregate_host', 'nova_aggregate_metadata', 'nova_aggregate', 'nova_compute_node', 'nova_service'] as const) {
      await h.db.deleteFrom(t).execute();
    }
    placement.aggregates.clear();
    placement.failing = false;
    await insertService(1, 'cmp1');
    await insertService(2, 'cmp2');
    await insertService(3, 'ctl', 'nova-scheduler');
    const now = nowIso();
    await h.db.insertInto('nova_compute_node').values({
      id: 1, uuid: NODE1, service_id: 1, host: 'cmp1', hypervisor_hostname: 'cmp1', hypervisor_type: 'QEMU', hypervisor_version: 1,
      vcpus: 2, memory_mb: 2048, local_gb: 10, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0, free_ram_mb: 2048, free_disk_gb: 10,
      running_vms: 0, disk_available_least: 10, cpu_info: '{}', host_ip: null, cpu_allocation_ratio: 16, ram_allocation_ratio: 1.5,
      disk_allocation_ratio: 1, created_at: now, updated_at: now,
    }).execute();
  });

  it('creates, lists, shows, updates and deletes aggregates', async () => {
    const made = await create({ name: 'agg1', availability_zone: 'zone1' });
    assert.deepEqual(Object.keys(made).sort(), ['availability_zone', 'created_at', 'deleted', 'deleted_at', 'id', 'name', 'updated_at']);
    assert.equal(made.name, 'agg1');
    assert.equal(made.availability_zone, 'zone1');
    assert.equal(made.deleted, false);
    assert.equal(made.deleted_at, null);
    assert.match(made.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000$/);
    assert.match(made.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000$/);
    assert.equal(typeof made.id, 'number');

    const plain = await create({ name: 'agg2' });
    assert.equal(plain.availability_zone, null);

    const list = await h.request('GET', '/v2.1/os-aggregates');
    assert.equal(list.statusCode, 200);
    const aggs = list.json().aggregates as Record<string, any>[];
    assert.deepEqual(aggs.map((a) => a.name), ['agg1', 'agg2']);
    assert.deepEqual(aggs[0]!.metadata, { availability_zone: 'zone1' });
    assert.deepEqual(aggs[0]!.hosts, []);
    assert.equal(aggs[0]!.uuid, undefined);

    const shown = await h.request('GET', `/v2.1/os-aggregates/${made.id}`, { version: '2.41' });
    assert.equal(shown.statusCode, 200);
    assert.match(shown.json().aggregate.uuid, /^[0-9a-f-]{36}$/);
    assert.equal((await h.request('GET', `/v2.1/os-aggregates/${made.id}`, { version: '2.40' })).json().aggregate.uuid, undefined);

    const updated = await h.request('PUT', `/v2.1/os-aggregates/${made.id}`, { body: { aggregate: { name: 'renamed', availability_zone: 'zone9' } } });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().aggregate.name, 'renamed');
    assert.equal(updated.json().aggregate.availability_zone, 'zone9');
    assert.deepEqual(updated.json().aggregate.metadata, { availability_zone: 'zone9' });

    const del = await h.request('DELETE', `/v2.1/os-aggregates/${made.id}`);
    assert.equal(del.statusCode, 200);
    assert.equal((await h.request('GET', `/v2.1/os-aggregates/${made.id}`)).statusCode, 404);
  });

  it('answers bad input and conflicts with Nova faults', async () => {
    const made = await create({ name: 'dup' });
    const dup = await h.request('POST', '/v2.1/os-aggregates', { body: { aggregate: { name: 'dup' } } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().conflictingRequest.message, 'Aggregate dup already exists.');
    const other = await create({ name: 'other' });
    const rename = await h.request('PUT', `/v2.1/os-aggregates/${other.id}`, { body: { aggregate: { name: 'dup' } } });
    assert.equal(rename.statusCode, 409);

    assert.equal((await h.request('POST', '/v2.1/os-aggregates', { body: { aggregate: { name: '' } } })).statusCode, 400);
    assert.equal((await h.request('POST', '/v2.1/os-aggregates', { body: { aggregate: { name: 'x'.repeat(256) } } })).statusCode, 400);
    assert.equal((await h.request('POST', '/v2.1/os-aggregates', { body: { aggregate: { name: 'x', bogus: 1 } } })).statusCode, 400);
    assert.equal((await h.request('PUT', `/v2.1/os-aggregates/${made.id}`, { body: { aggregate: {} } })).statusCode, 400);

    const missing = await h.request('GET', '/v2.1/os-aggregates/9999');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().itemNotFound.message, 'Aggregate 9999 could not be found.');
    const notInt = await h.request('GET', '/v2.1/os-aggregates/abc');
    assert.equal(notInt.statusCode, 400);
    assert.equal((await h.request('DELETE', '/v2.1/os-aggregates/9999')).statusCode, 404);
    assert.equal((await action(9999, { add_host: { host: 'cmp1' } })).statusCode, 404);

    const unknown = await action(made.id, { frobnicate: {} });
    assert.equal(unknown.statusCode, 400);
  });

  it('adds and removes hosts, mirroring membership into Placement', async () => {
    const agg = await create({ name: 'hosts' }, '2.41');
    const added = await action(agg.id, { add_host: { host: 'cmp1' } });
    assert.equal(added.statusCode, 200, added.body);
    assert.deepEqual(added.json().aggregate.hosts, ['cmp1']);
    assert.deepEqual(placement.aggregates.get(NODE1), [agg.uuid]);
    assert.deepEqual((await action(agg.id, { add_host: { host: 'cmp2' } })).json().aggregate.hosts, ['cmp1', 'cmp2']);

    const again = await action(agg.id, { add_host: { host: 'cmp1' } });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().conflictingRequest.message, `Aggregate ${agg.id} already has host cmp1.`);
    const nohost = await action(agg.id, { add_host: { host: 'nowhere' } });
    assert.equal(nohost.statusCode, 404);
    assert.equal(nohost.json().itemNotFound.message, 'Compute host nowhere could not be found.');
    assert.equal((await action(agg.id, { add_host: { host: 'ctl' } })).statusCode, 404);
    assert.equal((await action(agg.id, { add_host: {} })).statusCode, 400);

    const notEmpty = await h.request('DELETE', `/v2.1/os-aggregates/${agg.id}`);
    assert.equal(notEmpty.statusCode, 400);
    assert.equal(notEmpty.json().badRequest.message, `Cannot delete aggregate ${agg.id}. Reason: Host aggregate is not empty.`);

    const removed = await action(agg.id, { remove_host: { host: 'cmp1' } });
    assert.equal(removed.statusCode, 200);
    assert.deepEqual(removed.json().aggregate.hosts, ['cmp2']);
    assert.deepEqual(placement.aggregates.get(NODE1), []);
    const notMember = await action(agg.id, { remove_host: { host: 'cmp1' } });
    assert.equal(notMember.statusCode, 404);
    assert.equal(notMember.json().itemNotFound.message, `Aggregate ${agg.id} has no host cmp1.`);

    // Placement failing is logged, not fatal.
    placement.failing = true;
    assert.equal((await action(agg.id, { add_host: { host: 'cmp1' } })).statusCode, 200);
  });

  it('sets metadata and keeps a host in one availability zone', async () => {
    const a = await create({ name: 'a', availability_zone: 'az1' });
    const b = await create({ name: 'b' });
    assert.equal((await action(a.id, { add_host: { host: 'cmp1' } })).statusCode, 200);
    assert.equal((await action(b.id, { add_host: { host: 'cmp1' } })).statusCode, 200);

    const meta = await action(b.id, { set_metadata: { metadata: { ssd: 'true', color: 'blue' } } });
    assert.equal(meta.statusCode, 200, meta.body);
    assert.deepEqual(meta.json().aggregate.metadata, { color: 'blue', ssd: 'true' });
    const dropped = await action(b.id, { set_metadata: { metadata: { color: null } } });
    assert.deepEqual(dropped.json().aggregate.metadata, { ssd: 'true' });

    const clash = await action(b.id, { set_metadata: { metadata: { availability_zone: 'az2' } } });
    assert.equal(clash.statusCode, 400);
    assert.match(clash.json().badRequest.message, /^Cannot update metadata of aggregate \d+\. Reason: One or more hosts already in availability zone\(s\) \['az1'\]\.$/);
    assert.equal((await h.request('PUT', `/v2.1/os-aggregates/${b.id}`, { body: { aggregate: { availability_zone: 'az2' } } })).statusCode, 400);
    // The same zone is fine.
    assert.equal((await action(b.id, { set_metadata: { metadata: { availability_zone: 'az1' } } })).statusCode, 200);

    // A host zoned az1 cannot join an aggregate of another zone.
    const c = await create({ name: 'c', availability_zone: 'az3' });
    const add = await action(c.id, { add_host: { host: 'cmp1' } });
    assert.equal(add.statusCode, 409);
    assert.equal(add.json().conflictingRequest.message, `Cannot add host to aggregate ${c.id}. Reason: Host already in availability zone az1.`);

    // The zone shows in os-services and os-availability-zone.
    const services = (await h.request('GET', '/v2.1/os-services')).json().services as Record<string, any>[];
    assert.equal(services.find((s) => s.host === 'cmp1')!.zone, 'az1');
    assert.equal(services.find((s) => s.host === 'cmp2')!.zone, 'nova');
    const zones = (await h.request('GET', '/v2.1/os-availability-zone')).json().availabilityZoneInfo as Record<string, any>[];
    assert.ok(zones.some((z) => z.zoneName === 'az1'));

    // Moving the zone through metadata moves the host.
    assert.equal((await action(c.id, { set_metadata: { metadata: { availability_zone: null } } })).statusCode, 200);
    assert.equal((await action(a.id, { set_metadata: { metadata: { availability_zone: 'az5' } } })).statusCode, 400);
    assert.equal((await action(b.id, { set_metadata: { metadata: { availability_zone: null } } })).statusCode, 200);
    assert.equal((await action(a.id, { set_metadata: { metadata: { availability_zone: 'az5' } } })).statusCode, 200);
    const moved = (await h.request('GET', '/v2.1/os-services')).json().services as Record<string, any>[];
    assert.equal(moved.find((s) => s.host === 'cmp1')!.zone, 'az5');

    assert.equal((await action(a.id, { set_metadata: { metadata: { 'bad/key': 'x' } } })).statusCode, 400);
    assert.equal((await action(a.id, { set_metadata: {} })).statusCode, 400);
  });

  it('is admin only', async () => {
    const agg = await create({ name: 'admin-only' });
    const token = h.alice.token;
    const checks: [string, string, unknown?][] = [
      ['GET', '/v2.1/os-aggregates'],
      ['POST', '/v2.1/os-aggregates', { aggregate: { name: 'nope' } }],
      ['GET', `/v2.1/os-aggregates/${agg.id}`],
      ['PUT', `/v2.1/os-aggregates/${agg.id}`, { aggregate: { name: 'nope' } }],
      ['DELETE', `/v2.1/os-aggregates/${agg.id}`],
      ['POST', `/v2.1/os-aggregates/${agg.id}/action`, { add_host: { host: 'cmp1' } }],
      ['POST', `/v2.1/os-aggregates/${agg.id}/action`, { remove_host: { host: 'cmp1' } }],
      ['POST', `/v2.1/os-aggregates/${agg.id}/action`, { set_metadata: { metadata: { a: 'b' } } }],
    ];
    for (const [method, url, body] of checks) {
      const res = await h.request(method, url, { token, ...(body !== undefined ? { body } : {}) });
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
      assert.match(res.json().forbidden.message, /^Policy doesn't allow os_compute_api:os-aggregates:\w+ to be performed\.$/);
    }
    assert.equal((await h.request('GET', `/v2.1/os-aggregates/${agg.id}`)).json().aggregate.name, 'admin-only');
  });
});

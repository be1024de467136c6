// The conductor's build flow against a REAL placement service (on a 127.0.0.1 listener, reached
// by a PlacementClient with the admin's token): three fake compute hosts (service + compute node
// rows, a resource provider each with inventory), the conductor served on a memory bus, and a
// test-side agent per host on topic `compute` that records build_and_run_instance and answers as
// an agent would (instance_update to active, or build_failed). Instances are inserted as the API
// leaves them (building/scheduling, request spec, `create` action) and handed to the conductor
// with schedule_and_build_instances. SQLite by default; PostgreSQL with NIMBUS_TEST_DATABASE_URL.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RemoteError, type MemoryBus } from '../../../src/bus/index.js';
import { PlacementClient } from '../../../src/core/clients/index.js';
import { CONDUCTOR_TOPIC, NO_VALID_HOST, retriesExhausted, scheduleAndBuildInstances, type ConductorDeps } from '../../../src/compute/conductor/index.js';
import { recordInstanceAction } from '../../../src/compute/domain/servers/instance-actions.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { nowIso } from '../../../src/compute/db/transaction.js';
import type { InstanceBuild } from '../../../src/compute/rpc/compute-protocol.js';
import type { ComputeHarness } from '../../support/compute-harness.js';
import { FLAVOR, startConductorWorld, type ConductorWorld } from './conductor-world.js';

const HOSTS = ['cmp1', 'cmp2', 'cmp3'] as const;
type Host = typeof HOSTS[number];

interface Received { readonly host: string; readonly build: InstanceBuild }

describe('conductor build flow (real placement)', () => {
  let world: ConductorWorld;
  let h: ComputeHarness;
  let bus: MemoryBus;
  let placement: PlacementClient;
  let deps: ConductorDeps;
  let nodes: Record<string, string>;
  let busErrors: unknown[];
  let received: Received[] = [];
  /** Hosts whose fake agent fails every build (and asks for a reschedule). */
  let failing = new Set<string>();
  /** Every instance made so far: their allocations are dropped before each test. */
  const made: string[] = [];

  before(async () => {
    world = await startConductorWorld({
      hosts: HOSTS,
      agent: async (host, build) => {
        received.push({ host, build });
        if (failing.has(host)) {
          await bus.call({ topic: CONDUCTOR_TOPIC }, 'build_failed', { uuid: build.uuid, host, request_id: build.request_id, reason: 'boom', reschedule: true });
          return;
        }
        await bus.call({ topic: CONDUCTOR_TOPIC }, 'instance_update', {
          uuid: build.uuid, host, expected_task_state: ['spawning'],
          updates: { vm_state: 'active', task_state: null, power_state: 1, launched_at: nowIso() },
        });
      },
    });
    ({ h, bus, placement, nodes, busErrors } = world);
    deps = { db: h.db, bus, placement, compute: h.deps.compute };
    await world.startConductor('ctl');
  });

  after(async () => {
    await world?.close();
  });

  /** Fresh capacity: RAM in instances of FLAVOR per host (everything else plentiful). */
  async function capacity(slots: Partial<Record<Host, number>>): Promise<void> {
    for (const uuid of made) await placement.deleteAllocations(uuid);
    for (const host of HOSTS) {
      await placement.setInventories(nodes[host]!, {
        VCPU: { total: 64 }, DISK_GB: { total: 1000 },
        // A provider with no room has no MEMORY_MB at all (total 0 is refused by Placement).
        ...((slots[host] ?? 0) > 0 ? { MEMORY_MB: { total: 1024 * slots[host]! } } : {}),
      });
    }
    received = [];
    failing = new Set();
  }

  /** Inserts n instances as POST /servers leaves them; returns their uuids and request id. */
  async function instances(n: number, min = n): Promise<{ uuids: string[]; requestId: string }> {
    const inserted = await world.instances(n, { min });
    made.push(...inserted.uuids);
    return inserted;
  }

  const load = (uuid: string) => h.db.selectFrom('nova_instance').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();

  /** Waits until no instance of the list is scheduling/spawning any more. */
  async function settled(uuids: readonly string[], timeoutMs = 10_000): Promise<InstanceRow[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const rows = await Promise.all(uuids.map(load));
      if (rows.every((r) => r.task_state === null)) return rows;
      if (Date.now() > until) throw new Error(`not settled: ${rows.map((r) => `${r.vm_state}/${r.task_state}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const schedule = (uuids: string[], requestId: string) => bus.cast({ topic: CONDUCTOR_TOPIC }, 'schedule_and_build_instances', { instance_uuids: uuids, request_id: requestId });
  const allocation = async (uuid: string) => (await placement.getAllocations(uuid)).allocations;
  const fault = (uuid: string) => h.db.selectFrom('nova_instance_fault').selectAll().where('instance_uuid', '=', uuid).orderBy('id', 'desc').executeTakeFirst();

  beforeEach(() => { busErrors.length = 0; });

  it('builds on the best host (most free RAM) with the flavor\'s allocation, and the agent\'s update makes it active', async () => {
    await capacity({ cmp1: 2, cmp2: 6, cmp3: 4 });
    const { uuids, requestId } = await instances(1);
    await schedule(uuids, requestId);
    const [row] = await settled(uuids);
    assert.equal(row!.vm_state, 'active');
    assert.equal(row!.power_state, 1);
    assert.equal(row!.host, 'cmp2');
    assert.equal(row!.node, 'cmp2.example');
    assert.equal(row!.compute_node_uuid, nodes.cmp2);
    assert.equal(row!.availability_zone, 'nova');
    assert.ok(row!.scheduled_at && row!.launched_at);
    assert.deepEqual(await allocation(uuids[0]!), { [nodes.cmp2!]: { generation: (await allocation(uuids[0]!))[nodes.cmp2!]!.generation, resources: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 } } });
    assert.equal(received.length, 1);
    assert.equal(received[0]!.host, 'cmp2');
    assert.equal(received[0]!.build.node_uuid, nodes.cmp2);
    assert.equal(received[0]!.build.attempt, 1);
    assert.equal(received[0]!.build.request_id, requestId);
    assert.deepEqual(received[0]!.build.flavor, FLAVOR);
    const spec = JSON.parse((await h.db.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', uuids[0]!).executeTakeFirstOrThrow()).spec);
    assert.deepEqual(spec.alternates[uuids[0]!].map((a: { host: string }) => a.host), ['cmp3', 'cmp1']);
    assert.equal(spec.attempts[uuids[0]!], 1);
    const event = await h.db.selectFrom('nova_instance_action_event').innerJoin('nova_instance_action', 'nova_instance_action.id', 'nova_instance_action_event.action_id')
      .select(['nova_instance_action_event.result', 'nova_instance_action_event.finish_time']).where('nova_instance_action.instance_uuid', '=', uuids[0]!)
      .where('nova_instance_action_event.event', '=', 'conductor_schedule_and_build_instances').executeTakeFirstOrThrow();
    assert.equal(event.result, 'Success');
    assert.ok(event.finish_time);
    assert.deepEqual(busErrors, []);
  });

  it('skips a full host', async () => {
    await capacity({ cmp1: 0, cmp2: 1, cmp3: 0 });
    const { uuids, requestId } = await instances(1);
    await schedule(uuids, requestId);
    const [row] = await settled(uuids);
    assert.equal(row!.host, 'cmp2');
    assert.equal(row!.vm_state, 'active');
  });

  it('--min 6 --max 6 where only 4 fit: all ERROR NoValidHost, no allocation left', async () => {
    await capacity({ cmp1: 2, cmp2: 1, cmp3: 1 });
    const { uuids, requestId } = await instances(6, 6);
    await schedule(uuids, requestId);
    const rows = await settled(uuids);
    for (const row of rows) {
      assert.equal(row.vm_state, 'error');
      assert.equal(row.host, null);
      assert.deepEqual(await allocation(row.uuid), {});
      const f = await fault(row.uuid);
      assert.equal(f?.code, 500);
      assert.equal(f?.message, NO_VALID_HOST);
      assert.equal(f?.details, '');
    }
    assert.equal(received.length, 0);
    const action = await h.db.selectFrom('nova_instance_action').selectAll().where('instance_uuid', '=', uuids[0]!).executeTakeFirstOrThrow();
    assert.equal(action.message, 'Error');
    for (const host of HOSTS) assert.deepEqual((await placement.getProviderUsages(nodes[host]!)).usages.MEMORY_MB ?? 0, 0);
  });

  it('--min 2 --max 6 where 4 fit: 4 built, 2 ERROR without allocations', async () => {
    await capacity({ cmp1: 2, cmp2: 1, cmp3: 1 });
    const { uuids, requestId } = await instances(6, 2);
    await schedule(uuids, requestId);
    const rows = await settled(uuids);
    const active = rows.filter((r) => r.vm_state === 'active');
    const errored = rows.filter((r) => r.vm_state === 'error');
    assert.equal(active.length, 4);
    assert.equal(errored.length, 2);
    const perHost: Record<string, number> = {};
    for (const r of active) perHost[r.host!] = (perHost[r.host!] ?? 0) + 1;
    assert.deepEqual(perHost, { cmp1: 2, cmp2: 1, cmp3: 1 });
    for (const r of errored) assert.deepEqual(await allocation(r.uuid), {});
    for (const r of active) assert.ok((await allocation(r.uuid))[r.compute_node_uuid!]);
    assert.equal(received.length, 4);
  });

  it('build_failed reschedules to an alternate and moves the allocation; with none left the instance is ERROR', async () => {
    await capacity({ cmp1: 3, cmp2: 2, cmp3: 1 });
    failing = new Set(['cmp1']);
    const { uuids, requestId } = await instances(1);
    await schedule(uuids, requestId);
    const [row] = await settled(uuids);
    assert.deepEqual(received.map((r) => [r.host, r.build.attempt]), [['cmp1', 1], ['cmp2', 2]]);
    assert.equal(row!.host, 'cmp2');
    assert.equal(row!.vm_state, 'active');
    assert.deepEqual(Object.keys(await allocation(uuids[0]!)), [nodes.cmp2]);
    assert.equal((await placement.getProviderUsages(nodes.cmp1!)).usages.MEMORY_MB ?? 0, 0);

    // Every host fails: after max_attempts (3) hosts, ERROR with Nova's message and no allocation.
    await capacity({ cmp1: 3, cmp2: 2, cmp3: 1 });
    failing = new Set(HOSTS);
    const second = await instances(1);
    await schedule(second.uuids, second.requestId);
    const [bad] = await settled(second.uuids);
    assert.equal(bad!.vm_state, 'error');
    assert.deepEqual([bad!.host, bad!.node, bad!.compute_node_uuid], [null, null, null], 'a failed build leaves its last host, as Nova nils them out');
    assert.deepEqual(received.map((r) => r.host), ['cmp1', 'cmp2', 'cmp3']);
    assert.equal((await fault(second.uuids[0]!))?.message, retriesExhausted(second.uuids[0]!));
    assert.deepEqual(await allocation(second.uuids[0]!), {});
  });

  it('two builds racing for the last slot: one wins, the other is NoValidHost', async () => {
    await capacity({ cmp1: 0, cmp2: 0, cmp3: 1 });
    const a = await instances(1);
    const b = await instances(1);
    await Promise.all([schedule(a.uuids, a.requestId), schedule(b.uuids, b.requestId)]);
    const rows = await settled([...a.uuids, ...b.uuids]);
    assert.deepEqual(rows.map((r) => r.vm_state).sort(), ['active', 'error']);
    const loser = rows.find((r) => r.vm_state === 'error')!;
    assert.deepEqual(await allocation(loser.uuid), {});
    assert.equal((await placement.getProviderUsages(nodes.cmp3!)).usages.MEMORY_MB, 1024);
  });

  it('a server deleted while it was being scheduled keeps no allocation and is not built', async () => {
    await capacity({ cmp1: 1, cmp2: 1, cmp3: 1 });
    const { uuids, requestId } = await instances(1);
    // The API's local delete lands between the conductor's look at the row and its claim.
    class DeletingPlacement extends PlacementClient {
      override withRequestId(): PlacementClient { return this; }
      override async putAllocations(...args: Parameters<PlacementClient['putAllocations']>): Promise<void> {
        await h.db.updateTable('nova_instance').set({ deleted: 1, vm_state: 'deleted', task_state: null }).where('uuid', '=', uuids[0]!).execute();
        return super.putAllocations(...args);
      }
    }
    await scheduleAndBuildInstances({ ...deps, placement: new DeletingPlacement(placement.http) }, { instance_uuids: uuids, request_id: requestId });
    assert.deepEqual(await allocation(uuids[0]!), {});
    assert.equal(received.length, 0);
    const row = await load(uuids[0]!);
    assert.equal(row.host, null);
    for (const host of HOSTS) assert.equal((await placement.getProviderUsages(nodes[host]!)).usages.MEMORY_MB ?? 0, 0);
  });

  it('refuses malformed RPC arguments before the database', async () => {
    const call = (method: string, args: Record<string, unknown>) => bus.call({ topic: CONDUCTOR_TOPIC }, method, args, { timeoutMs: 5000 });
    const uuid = randomUUID();
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['instance_update', { uuid, host: 'cmp1', updates: { vm_state: 'flying' } }, /vm_state/],
      ['instance_update', { uuid: 'not-a-uuid', host: 'cmp1', updates: { vm_state: 'active' } }, /uuid/],
      ['instance_update', { uuid, host: 'cmp1', updates: {} }, /change something/],
      ['instance_update', { uuid, host: 'cmp1', updates: { task_state: null }, expected_task_state: 'spawning' }, /expected_task_state/],
      ['instance_update', { uuid, host: 'cmp1; rm -rf /', updates: { power_state: 1 } }, /host/],
      ['instance_info_cache_update', { uuid, network_info: [{ id: 'x' }] }, /network_info/],
      ['instance_fault_create', { uuid, host: 'cmp1', code: 'x', message: 'm', details: '' }, /code/],
      ['action_event_finish', { uuid, request_id: 'req-1', event: 'compute_x', host: 'cmp1', result: 'Maybe' }, /result/],
      ['build_failed', { uuid, host: 'cmp1', request_id: 'req-1', reason: 'x', reschedule: 'yes' }, /reschedule/],
      ['instance_destroyed', { uuid, host: 'cmp1', request_id: 'req-1', extra: 1 }, /unexpected argument/],
      ['instances_on_host', { host: '' }, /host/],
      ['schedule_and_build_instances', { instance_uuids: [], request_id: 'req-1' }, /instance_uuids/],
    ];
    for (const [method, args, message] of cases) {
      await assert.rejects(call(method, args), (err: unknown) => err instanceof RemoteError && message.test(err.message), `${method} ${JSON.stringify(args)}`);
    }
  });

  it('instance_update is guarded by host and expected task state; instances_on_host and instance_destroyed close the loop', async () => {
    await capacity({ cmp1: 1, cmp2: 0, cmp3: 0 });
    const { uuids, requestId } = await instances(1);
    await schedule(uuids, requestId);
    await settled(uuids);
    const uuid = uuids[0]!;
    const call = (method: string, args: Record<string, unknown>) => bus.call({ topic: CONDUCTOR_TOPIC }, method, args);
    assert.deepEqual(await call('instance_update', { uuid, host: 'cmp2', updates: { power_state: 4 } }),
      { updated: false, vm_state: 'active', task_state: null, deleted: false });
    assert.deepEqual(await call('instance_update', { uuid, host: 'cmp1', updates: { task_state: 'powering-off' }, expected_task_state: ['rebooting'] }),
      { updated: false, vm_state: 'active', task_state: null, deleted: false });
    assert.deepEqual(await call('instance_update', { uuid, host: 'cmp1', updates: { task_state: 'deleting' }, expected_task_state: [null] }),
      { updated: true, vm_state: 'active', task_state: 'deleting', deleted: false });
    const vif = {
      id: randomUUID(), address: 'fa:16:3e:00:00:01', type: 'bridge', devname: 'tapx', active: true, preserve_on_delete: false,
      network: { id: randomUUID(), label: 'private', mtu: 1450, subnets: [] },
    };
    await call('instance_info_cache_update', { uuid, network_info: [vif] });
    await call('instance_info_cache_update', { uuid, network_info: [vif] });
    const onHost = await call('instances_on_host', { host: 'cmp1' }) as { uuid: string; network_info: unknown[] }[];
    assert.deepEqual(onHost.find((i) => i.uuid === uuid)?.network_info, [vif]);
    const delReq = `req-${randomUUID()}`;
    await h.db.transaction().execute((trx) => recordInstanceAction(trx, { action: 'delete', instanceUuid: uuid, requestId: delReq, userId: h.adminUserId, projectId: h.adminProjectId }));
    await call('instance_destroyed', { uuid, host: 'cmp1', request_id: delReq });
    const row = await load(uuid);
    assert.equal(row.deleted, 1);
    assert.equal(row.vm_state, 'deleted');
    assert.ok(row.terminated_at);
    assert.deepEqual(await allocation(uuid), {});
    assert.ok(!(await call('instances_on_host', { host: 'cmp1' }) as { uuid: string }[]).some((i) => i.uuid === uuid));
    const action = await h.db.selectFrom('nova_instance_action').selectAll().where('request_id', '=', delReq).executeTakeFirstOrThrow();
    assert.ok(action.finish_time);
  });
});

// A conductor (re)starting picks up the servers a previous one left waiting for a host: the
// schedule_and_build_instances cast died with the process. Real Placement (127.0.0.1 listener),
// the conductor on a memory bus, fake agents on topic `compute` that only record the builds they
// get. Servers are inserted as POST /servers leaves them (building/scheduling, request spec,
// `create` action) but never cast: only the conductor's start-up pass can build them.
// SQLite by default; PostgreSQL with NIMBUS_TEST_DATABASE_URL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_VALID_HOST } from '../../../src/compute/conductor/index.js';
import { BUILD_INTERRUPTED } from '../../../src/compute/agent/init-host.js';
import type { ConductorServer } from '../../../src/compute/conductor/conductor.js';
import { resumeScheduling } from '../../../src/compute/conductor/restart.js';
import { nowIso } from '../../../src/compute/db/transaction.js';
import type { InstanceBuild } from '../../../src/compute/rpc/compute-protocol.js';
import type { ComputeHarness } from '../../support/compute-harness.js';
import type { MemoryBus } from '../../../src/bus/index.js';
import type { PlacementClient } from '../../../src/core/clients/index.js';
import { startConductorWorld, type ConductorWorld } from './conductor-world.js';

const HOSTS = ['rcmp1', 'rcmp2'] as const;

describe('conductor restart: servers left in scheduling are built', () => {
  let world: ConductorWorld;
  let h: ComputeHarness;
  let bus: MemoryBus;
  let placement: PlacementClient;
  let conductors: ConductorServer[];
  let nodes: Record<string, string>;
  let busErrors: unknown[];
  const received: { host: string; build: InstanceBuild }[] = [];

  before(async () => {
    world = await startConductorWorld({
      hosts: HOSTS,
      inventory: { VCPU: { total: 64 }, DISK_GB: { total: 1000 }, MEMORY_MB: { total: 1024 * 4 } },
      // An agent that only takes note: the servers stay in spawning, where the test can look at them.
      agent: async (host, build) => { received.push({ host, build }); },
    });
    ({ h, bus, placement, conductors, nodes, busErrors } = world);
  });

  after(async () => {
    await world?.close();
  });

  const instances = (n: number, opts?: Parameters<ConductorWorld['instances']>[1]) => world.instances(n, opts);
  const load = (uuid: string) => h.db.selectFrom('nova_instance').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
  const allocation = async (uuid: string) => (await placement.getAllocations(uuid)).allocations;
  const start = (name: string): Promise<ConductorServer> => world.startConductor(name);
  const buildsOf = (uuid: string) => received.filter((r) => r.build.uuid === uuid);
  /** Casts are delivered after the conductor's pass returns: wait for each server's first build. */
  async function builds(uuids: readonly string[], timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!uuids.every((u) => buildsOf(u).length > 0)) {
      if (Date.now() > until) throw new Error(`no build for ${uuids.filter((u) => buildsOf(u).length === 0).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 50)); // room for a second (wrong) cast to show up
  }

  it('schedules and casts what was waiting for a host; leaves spec-less, placed and deleted servers alone', async () => {
    const waiting = await instances(2);
    const noSpec = await instances(1, { spec: false });
    const deleted = await instances(1, { state: { deleted: 1, deleted_at: nowIso() } });
    // Placed on a host whose agent is away: the agent's init_host deals with it, not the conductor.
    const placed = await instances(1, { state: { task_state: 'spawning', host: 'gone-host', node: 'gone-host.example' } });

    const conductor = await start('ctl-restart');
    const resumed = await conductor.resumed;
    assert.equal(resumed.requests, 1);
    assert.deepEqual(resumed.instances, waiting.uuids);
    assert.deepEqual(resumed.errors, []);
    await builds(waiting.uuids);

    for (const uuid of waiting.uuids) {
      const row = await load(uuid);
      assert.equal(row.vm_state, 'building');
      assert.equal(row.task_state, 'spawning');
      assert.ok(HOSTS.includes(row.host as typeof HOSTS[number]), `host ${row.host}`);
      const builds = buildsOf(uuid);
      assert.equal(builds.length, 1, 'exactly one build cast');
      assert.equal(builds[0]!.host, row.host);
      assert.equal(builds[0]!.build.request_id, waiting.requestId, 'under the create request');
      assert.equal(builds[0]!.build.node_uuid, nodes[row.host!]);
      assert.deepEqual(Object.keys(await allocation(uuid)), [nodes[row.host!]]);
      const event = await h.db.selectFrom('nova_instance_action_event').innerJoin('nova_instance_action', 'nova_instance_action.id', 'nova_instance_action_event.action_id')
        .select(['nova_instance_action_event.result']).where('nova_instance_action.instance_uuid', '=', uuid)
        .where('nova_instance_action_event.event', '=', 'conductor_schedule_and_build_instances').execute();
      assert.deepEqual(event.map((e) => e.result), ['Success']);
    }
    for (const uuid of [...noSpec.uuids, ...deleted.uuids, ...placed.uuids]) {
      assert.equal(buildsOf(uuid).length, 0);
      assert.deepEqual(await allocation(uuid), {});
    }
    assert.equal((await load(noSpec.uuids[0]!)).task_state, 'scheduling');
    const p = await load(placed.uuids[0]!);
    assert.deepEqual([p.vm_state, p.task_state, p.host], ['building', 'spawning', 'gone-host']);

    // A second start finds nothing left to do.
    await conductor.stop();
    conductors.splice(conductors.indexOf(conductor), 1);
    const again = await start('ctl-restart-2');
    assert.equal((await again.resumed).requests, 0);
    assert.equal(received.filter((r) => waiting.uuids.includes(r.build.uuid)).length, 2);
    assert.deepEqual(busErrors, []);
  });

  it('a claim its dead conductor never recorded is dropped once old; a young one is left to its conductor until then', async () => {
    const old = new Date(Date.now() - 5 * 60_000).toISOString();
    const stale = await instances(1, { state: { created_at: old, updated_at: old } });
    const young = await instances(1);
    // Both hold an allocation on rcmp1, as if a conductor had claimed them and died.
    for (const uuid of [...stale.uuids, ...young.uuids]) {
      await placement.putAllocations(uuid, {
        allocations: { [nodes.rcmp1!]: { resources: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 } } },
        project_id: h.adminProjectId, user_id: h.adminUserId, consumer_generation: null,
      });
    }
    const c = await start('ctl-stale');
    const r = await c.resumed;
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.staleClaims, stale.uuids);
    await builds(stale.uuids);
    const s = await load(stale.uuids[0]!);
    assert.deepEqual([s.vm_state, s.task_state], ['building', 'spawning']);
    assert.deepEqual(Object.keys(await allocation(s.uuid)), [nodes[s.host!]], 'one allocation, where it was built');

    // The young one: not failed, not built, its claim untouched; a pass is due once it is old enough.
    const y = await load(young.uuids[0]!);
    assert.deepEqual([y.vm_state, y.task_state], ['building', 'scheduling']);
    assert.equal(buildsOf(y.uuid).length, 0);
    assert.deepEqual(Object.keys(await allocation(y.uuid)), [nodes.rcmp1]);
    assert.ok(r.retryAfterMs !== undefined && r.retryAfterMs > 50_000 && r.retryAfterMs <= 61_000, `retry after ${r.retryAfterMs}`);
    // That pass, run as if the time had come: the abandoned claim goes, the server is built.
    const later = await resumeScheduling({ db: h.db, bus, placement, compute: h.deps.compute }, { staleAfterMs: 60_000, now: () => Date.now() + 61_000 });
    assert.deepEqual(later.staleClaims, young.uuids);
    await builds(young.uuids);
    const y2 = await load(young.uuids[0]!);
    assert.equal(y2.task_state, 'spawning');
    assert.deepEqual(Object.keys(await allocation(y2.uuid)), [nodes[y2.host!]]);
  });

  it('two conductors starting at once build each server once and fail none', async () => {
    // Room for 8 on the two hosts, minus the 4 placed above: 4 left, exactly what is asked.
    const { uuids } = await instances(4);
    const [a, b] = await Promise.all([start('ctl-a'), start('ctl-b')]);
    const [ra, rb] = await Promise.all([a!.resumed, b!.resumed]);
    assert.deepEqual([...ra.errors, ...rb.errors], []);
    await builds(uuids);
    for (const uuid of uuids) {
      const row = await load(uuid);
      assert.equal(row.vm_state, 'building', `${uuid} not failed`);
      assert.equal(row.task_state, 'spawning');
      assert.equal(buildsOf(uuid).length, 1, 'exactly one build cast');
      assert.deepEqual(Object.keys(await allocation(uuid)), [nodes[row.host!]]);
      assert.equal(await h.db.selectFrom('nova_instance_fault').select('id').where('instance_uuid', '=', uuid).executeTakeFirst(), undefined);
    }
  });

  it('an agent\'s init_host gives up a build: instances_on_host names the request, build_failed without reschedule is ERROR', async () => {
    const row = (await h.db.selectFrom('nova_instance').selectAll().where('task_state', '=', 'spawning').where('host', 'in', [...HOSTS]).orderBy('id').execute())[0]!;
    const { request_id: requestId } = await h.db.selectFrom('nova_instance_action').select('request_id').where('instance_uuid', '=', row.uuid).executeTakeFirstOrThrow();
    const onHost = await bus.call({ topic: 'conductor' }, 'instances_on_host', { host: row.host! }) as { uuid: string; request_id: string | null }[];
    assert.equal(onHost.find((i) => i.uuid === row.uuid)?.request_id, requestId);
    const casts = received.length;
    const answer = await bus.call({ topic: 'conductor' }, 'build_failed', {
      uuid: row.uuid, host: row.host!, request_id: requestId, reason: BUILD_INTERRUPTED, reschedule: false,
    });
    assert.deepEqual(answer, { rescheduled: false });
    const after_ = await load(row.uuid);
    assert.deepEqual([after_.vm_state, after_.task_state], ['error', null]);
    const fault = await h.db.selectFrom('nova_instance_fault').selectAll().where('instance_uuid', '=', row.uuid).executeTakeFirstOrThrow();
    assert.deepEqual([fault.code, fault.message, fault.host], [500, BUILD_INTERRUPTED, row.host]);
    assert.deepEqual(await allocation(row.uuid), {}, 'allocation dropped');
    const action = await h.db.selectFrom('nova_instance_action').selectAll().where('instance_uuid', '=', row.uuid).executeTakeFirstOrThrow();
    assert.equal(action.message, 'Error');
    assert.ok(action.finish_time, 'the create action is over');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(received.length, casts, 'no reschedule');
  });

  it('what no longer fits goes to ERROR NoValidHost, as on the first try', async () => {
    // The slot freed by the previous test is taken again first.
    const filler = await instances(1);
    assert.equal((await (await start('ctl-filler')).resumed).requests, 1);
    await builds(filler.uuids);
    // Both hosts are full now (8 of 8 slots taken).
    const { uuids } = await instances(1);
    const c = await start('ctl-full');
    assert.equal((await c.resumed).requests, 1);
    const row = await load(uuids[0]!);
    assert.deepEqual([row.vm_state, row.task_state, row.host], ['error', null, null]);
    const fault = await h.db.selectFrom('nova_instance_fault').selectAll().where('instance_uuid', '=', uuids[0]!).executeTakeFirstOrThrow();
    assert.equal(fault.message, NO_VALID_HOST);
    assert.deepEqual(await allocation(uuids[0]!), {});
    assert.equal(buildsOf(uuids[0]!).length, 0);
  });
});

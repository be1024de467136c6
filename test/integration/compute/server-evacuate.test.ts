// Evacuate through the API and the real conductor, with a real Placement and fake agents on two
// hosts that record what they are told; the test plays the destination's reports and the source's
// return. Checked: the refusals (host still up, wrong state, not admin, bad bodies), the
// destination claimed (the dead host's resources held by the migration, the server on the new
// host), the cast with a build and ports the agent's parser accepts, the states and statuses, the
// source's cleanup (evacuations_from_host, evacuation_cleaned) and a failed schedule.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { BusArgs } from '../../../src/bus/index.js';
import { parseRebuildEvacuated } from '../../../src/compute/agent/rpc-handlers.js';
import { CONDUCTOR_TOPIC } from '../../../src/compute/conductor/protocol.js';
import { nowIso } from '../../../src/compute/db/transaction.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { tapName } from '../../../src/compute/rpc/compute-protocol.js';
import { startConductorWorld, type ConductorWorld } from './conductor-world.js';

const HOSTS = ['host-a', 'host-b'] as const;
const RESOURCES = { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 };

describe('evacuate (API + conductor + Placement)', () => {
  let world: ConductorWorld;
  let received: { host: string; args: BusArgs }[] = [];

  const conductor = (method: string, args: Record<string, unknown>) => world.bus.call({ topic: CONDUCTOR_TOPIC }, method, args);
  const evacuate = (uuid: string, body: unknown, version = '2.29', token?: string) =>
    world.h.request('POST', `/v2.1/servers/${uuid}/action`, { body: { evacuate: body }, version, ...(token !== undefined ? { token } : {}) });
  const load = (uuid: string) => world.h.db.selectFrom('nova_instance').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
  const migrationOf = (uuid: string) => world.h.db.selectFrom('nova_migration').selectAll().where('instance_uuid', '=', uuid).orderBy('id', 'desc').executeTakeFirst();
  const resources = async (consumer: string) => Object.fromEntries(Object.entries((await world.placement.getAllocations(consumer)).allocations).map(([rp, a]) => [rp, a.resources]));
  const setDown = (host: string, down: boolean) => world.h.db.updateTable('nova_service').set({ forced_down: down ? 1 : 0 }).where('host', '=', host).execute();

  /** A server on host-a holding RESOURCES there, with a port of its own and one of the user's in its info cache. */
  async function serverOnA(state: Partial<InstanceRow> = {}): Promise<{ uuid: string; ports: string[] }> {
    const { uuids } = await world.instances(1, {
      state: { vm_state: 'active', task_state: null, power_state: 1, host: 'host-a', node: 'host-a.example', compute_node_uuid: world.nodes['host-a']!, launched_at: nowIso(), ...state },
    });
    const uuid = uuids[0]!;
    await world.placement.putAllocations(uuid, {
      allocations: { [world.nodes['host-a']!]: { resources: RESOURCES } }, project_id: world.h.adminProjectId, user_id: world.h.adminUserId, consumer_generation: null,
    });
    const ports = [randomUUID(), randomUUID()];
    const vif = (id: string, i: number) => ({
      id, address: `fa:16:3e:00:00:0${i}`, type: 'bridge', devname: tapName(id), active: true, preserve_on_delete: i === 1,
      network: { id: randomUUID(), label: 'net', mtu: 1450, subnets: [] },
    });
    await world.h.db.insertInto('nova_instance_info_cache').values({ instance_uuid: uuid, network_info: JSON.stringify(ports.map(vif)), updated_at: nowIso() }).execute();
    return { uuid, ports };
  }

  async function waitReceived(n: number): Promise<void> {
    for (let i = 0; i < 400 && received.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(received.length, n, JSON.stringify(received));
  }

  async function waitMigration(uuid: string, status: string): Promise<void> {
    for (let i = 0; i < 400 && (await migrationOf(uuid))?.status !== status; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal((await migrationOf(uuid))?.status, status);
  }

  before(async () => {
    world = await startConductorWorld({
      hosts: HOSTS, agent: async () => undefined,
      handlers: (host) => ({ rebuild_evacuated_instance: async (args: BusArgs) => { received.push({ host, args }); } }),
      inventory: { VCPU: { total: 16 }, MEMORY_MB: { total: 16384 }, DISK_GB: { total: 1000 } },
    });
    await world.startConductor('conductor-1');
  });
  after(async () => { await world?.close(); });
  beforeEach(async () => { received = []; await setDown('host-a', false); });

  it('host down: the server is rebuilt on host-b with its ports; the migration holds host-a until host-a comes back and cleans up', async () => {
    const { uuid, ports } = await serverOnA();
    const inUse = await evacuate(uuid, {});
    assert.equal(inUse.statusCode, 400, inUse.body);
    assert.match(inUse.json().badRequest.message, /Compute service of host-a is still in use/);

    await setDown('host-a', true);
    const res = await evacuate(uuid, { onSharedStorage: false, adminPass: 'S3cret-pw' }, '2.1');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { adminPass: 'S3cret-pw' });
    await waitReceived(1);
    assert.equal(received[0]!.host, 'host-b');
    const cast = parseRebuildEvacuated(received[0]!.args);
    assert.equal(cast.power_on, true);
    assert.equal(cast.record.build.uuid, uuid);
    assert.equal(cast.record.build.node_uuid, world.nodes['host-b']);
    assert.equal(cast.record.build.image_id, (await load(uuid)).image_ref);
    assert.equal(cast.record.build.admin_password, 'S3cret-pw');
    assert.deepEqual(cast.record.ports.map((p) => [p.id, p.created, p.mtu]), [[ports[0], true, 1450], [ports[1], false, 1450]]);

    const row = await load(uuid);
    assert.deepEqual([row.host, row.node, row.compute_node_uuid, row.task_state], ['host-b', 'host-b.example', world.nodes['host-b'], 'rebuilding']);
    const migration = (await migrationOf(uuid))!;
    assert.deepEqual([migration.migration_type, migration.status, migration.source_compute, migration.dest_compute], ['evacuation', 'pre-migrating', 'host-a', 'host-b']);
    assert.deepEqual(await resources(uuid), { [world.nodes['host-b']!]: RESOURCES });
    assert.deepEqual(await resources(migration.uuid), { [world.nodes['host-a']!]: RESOURCES });
    const actions = await world.h.db.selectFrom('nova_instance_action').select('action').where('instance_uuid', '=', uuid).orderBy('id').execute();
    assert.deepEqual(actions.map((a) => a.action), ['create', 'evacuate']);

    // host-a may not report for the server any more; host-b does.
    const update = (host: string, updates: Record<string, unknown>, expected: (string | null)[]) =>
      conductor('instance_update', { uuid, host, updates, expected_task_state: expected }) as Promise<{ updated: boolean }>;
    assert.equal((await update('host-a', { task_state: 'rebuild_spawning' }, ['rebuilding'])).updated, false);
    assert.equal((await update('host-b', { task_state: 'rebuild_spawning' }, ['rebuilding'])).updated, true);
    await update('host-b', { vm_state: 'active', task_state: null, power_state: 1 }, ['rebuild_spawning']);
    await conductor('migration_status', { migration_uuid: migration.uuid, host: 'host-b', status: 'done' });
    const shown = await world.h.request('GET', `/v2.1/servers/${uuid}`, { version: '2.29' });
    assert.equal(shown.json().server.status, 'ACTIVE');
    assert.equal(shown.json().server['OS-EXT-SRV-ATTR:host'], 'host-b');

    // host-a starts again: it learns what left it, cleans up, and its resources are freed.
    assert.deepEqual(await conductor('evacuations_from_host', { host: 'host-a' }), [{ uuid, migration_uuid: migration.uuid }]);
    assert.deepEqual(await conductor('evacuations_from_host', { host: 'host-b' }), []);
    await assert.rejects(conductor('evacuation_cleaned', { uuid, migration_uuid: migration.uuid, host: 'host-b' }), /no evacuation from host-b/);
    await conductor('evacuation_cleaned', { uuid, migration_uuid: migration.uuid, host: 'host-a' });
    assert.equal((await migrationOf(uuid))!.status, 'completed');
    assert.deepEqual(await resources(migration.uuid), {});
    assert.deepEqual(await resources(uuid), { [world.nodes['host-b']!]: RESOURCES });
    assert.deepEqual(await conductor('evacuations_from_host', { host: 'host-a' }), []);
  });

  it('a stopped server stays stopped; from 2.95 an active one arrives stopped; from 2.14 there is no body', async () => {
    await setDown('host-a', true);
    const stopped = await serverOnA({ vm_state: 'stopped', power_state: 4 });
    const res = await evacuate(stopped.uuid, { host: 'host-b' }, '2.14');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.body, '');
    const active = await serverOnA();
    assert.equal((await evacuate(active.uuid, {}, '2.95')).statusCode, 200);
    await waitReceived(2);
    const byUuid = new Map(received.map((r) => [r.args.uuid, r.args.power_on]));
    assert.equal(byUuid.get(stopped.uuid), false);
    assert.equal(byUuid.get(active.uuid), false);
    assert.equal(typeof parseRebuildEvacuated(received[0]!.args).record.build.admin_password, 'string', 'a generated password');
  });

  it('refuses: not admin (403), wrong state (409), bad bodies and hosts (400/404); nothing changes', async () => {
    await setDown('host-a', true);
    const alice = world.h.alice;
    const theirs = await serverOnA({ project_id: alice.projectId, user_id: alice.userId });
    assert.equal((await evacuate(theirs.uuid, {}, '2.29', alice.token)).statusCode, 403);
    const paused = await serverOnA({ vm_state: 'paused' });
    assert.equal((await evacuate(paused.uuid, {})).statusCode, 409);
    const busy = await serverOnA({ task_state: 'powering-off' });
    assert.equal((await evacuate(busy.uuid, {})).statusCode, 409);
    const { uuid } = await serverOnA();
    const same = await evacuate(uuid, { host: 'host-a' });
    assert.equal(same.statusCode, 400);
    assert.match(same.json().badRequest.message, /target host can't be the same one/);
    assert.equal((await evacuate(uuid, { host: 'host-zz' })).statusCode, 404);
    assert.equal((await evacuate(uuid, { force: true })).statusCode, 400, 'force without a host');
    assert.equal((await evacuate(uuid, {}, '2.1')).statusCode, 400, 'onSharedStorage is required before 2.14');
    assert.equal((await evacuate(uuid, { onSharedStorage: true }, '2.1')).statusCode, 400, 'no shared storage here');
    assert.equal((await evacuate(uuid, { onSharedStorage: false }, '2.14')).statusCode, 400, 'onSharedStorage is gone from 2.14');
    assert.equal((await evacuate(uuid, { host: 'host-b', force: true }, '2.68')).statusCode, 400, 'force is gone from 2.68');
    assert.equal((await evacuate(uuid, { adminPass: 'a\u0007b' })).statusCode, 400);
    for (const u of [theirs.uuid, paused.uuid, busy.uuid, uuid]) {
      assert.equal(await migrationOf(u), undefined);
      assert.equal((await load(u)).host, 'host-a');
    }
    assert.equal((await load(uuid)).task_state, null);
    assert.equal(received.length, 0);
  });

  it('os-migrateLive starts through the same move transaction (task migrating, live-migration action and migration)', async () => {
    const { uuid } = await serverOnA();
    const res = await world.h.request('POST', `/v2.1/servers/${uuid}/action`, { body: { 'os-migrateLive': { host: null, block_migration: 'auto' } }, version: '2.30' });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal((await load(uuid)).task_state, 'migrating');
    assert.equal((await migrationOf(uuid))?.migration_type, 'live-migration');
    const actions = await world.h.db.selectFrom('nova_instance_action').select('action').where('instance_uuid', '=', uuid).orderBy('id').execute();
    assert.deepEqual(actions.map((a) => a.action), ['create', 'live-migration']);
    assert.equal((await world.h.request('POST', `/v2.1/servers/${uuid}/action`, { body: { evacuate: {} }, version: '2.29' })).statusCode, 409, 'a task is running');
  });

  it('no host can take it: migration error, task cleared, the allocation back on the server at host-a, a fault', async () => {
    await setDown('host-a', true);
    const { uuid } = await serverOnA();
    await world.placement.setInventories(world.nodes['host-b']!, { VCPU: { total: 16 }, MEMORY_MB: { total: 512 }, DISK_GB: { total: 1000 } });
    try {
      assert.equal((await evacuate(uuid, {})).statusCode, 200);
      await waitMigration(uuid, 'error');
      const row = await load(uuid);
      assert.deepEqual([row.host, row.task_state, row.vm_state], ['host-a', null, 'active']);
      assert.deepEqual(await resources(uuid), { [world.nodes['host-a']!]: RESOURCES });
      assert.deepEqual(await resources((await migrationOf(uuid))!.uuid), {});
      const fault = await world.h.db.selectFrom('nova_instance_fault').select('message').where('instance_uuid', '=', uuid).executeTakeFirst();
      assert.match(fault?.message ?? '', /No valid host/);
      const left = await conductor('evacuations_from_host', { host: 'host-a' }) as { uuid: string }[];
      assert.equal(left.some((e) => e.uuid === uuid), false, 'a server that never left is never destroyed');
      assert.equal(received.length, 0);
    } finally {
      await world.placement.setInventories(world.nodes['host-b']!, { VCPU: { total: 16 }, MEMORY_MB: { total: 16384 }, DISK_GB: { total: 1000 } });
    }
  });
});

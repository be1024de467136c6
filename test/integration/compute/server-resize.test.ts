// Resize and cold migration through the API and the real conductor, with a real Placement and
// fake agents on two hosts that record what they are told; the test plays the agents' reports.
// Checked: the destination chosen (never the source), the allocations (the migration holds the
// source's, the server the new flavor on the destination), the host switch with its guards, the
// states and statuses (RESIZE, VERIFY_RESIZE), confirm and revert with their allocations, the
// automatic confirm, and the refusals (same flavor, no host, wrong state, wrong host reporting).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BusArgs } from '../../../src/bus/index.js';
import { confirmOverdueResizes } from '../../../src/compute/conductor/auto-confirm.js';
import { CONDUCTOR_TOPIC } from '../../../src/compute/conductor/protocol.js';
import { nowIso } from '../../../src/compute/db/transaction.js';
import { FLAVOR, startConductorWorld, type ConductorWorld } from './conductor-world.js';

const HOSTS = ['host-a', 'host-b'] as const;

describe('resize and cold migration (API + conductor + Placement)', () => {
  let world: ConductorWorld;
  let received: { host: string; method: string; args: BusArgs }[] = [];
  let bigFlavor: string;

  const record = (host: string) => Object.fromEntries(['resize_instance', 'confirm_resize', 'revert_resize', 'unshelve_instance'].map((method) => [
    method, async (args: BusArgs) => { received.push({ host, method, args }); },
  ]));
  const conductor = (method: string, args: Record<string, unknown>) => world.bus.call({ topic: CONDUCTOR_TOPIC }, method, args);
  const act = (uuid: string, body: unknown, version = '2.56') => world.h.request('POST', `/v2.1/servers/${uuid}/action`, { body, version });
  const load = (uuid: string) => world.h.db.selectFrom('nova_instance').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
  const migrationOf = (uuid: string) => world.h.db.selectFrom('nova_migration').selectAll().where('instance_uuid', '=', uuid).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const resources = async (consumer: string) => Object.fromEntries(Object.entries((await world.placement.getAllocations(consumer)).allocations).map(([rp, a]) => [rp, a.resources]));

  /** An active server on host-a holding FLAVOR there, as a finished build leaves it. */
  async function activeServer(): Promise<string> {
    const { uuids } = await world.instances(1, {
      state: { vm_state: 'active', task_state: null, power_state: 1, host: 'host-a', node: 'host-a.example', compute_node_uuid: world.nodes['host-a']!, launched_at: nowIso() },
    });
    const uuid = uuids[0]!;
    await world.placement.putAllocations(uuid, {
      allocations: { [world.nodes['host-a']!]: { resources: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 } } },
      project_id: world.h.adminProjectId, user_id: world.h.adminUserId, consumer_generation: null,
    });
    return uuid;
  }

  async function waitReceived(n: number): Promise<void> {
    for (let i = 0; i < 400 && received.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(received.length, n, JSON.stringify(received));
  }

  /** Plays the agents from resize_instance to VERIFY_RESIZE. */
  async function finishOnDestination(uuid: string, migrationUuid: string): Promise<void> {
    const update = (host: string, updates: Record<string, unknown>, expected: (string | null)[]) =>
      conductor('instance_update', { uuid, host, updates, expected_task_state: expected });
    assert.equal(((await update('host-a', { task_state: 'resize_migrating' }, ['resize_prep'])) as { updated: boolean }).updated, true);
    await update('host-a', { task_state: 'resize_migrated' }, ['resize_migrating']);
    await assert.rejects(conductor('resize_switch_host', { uuid, migration_uuid: migrationUuid, host: 'host-a' }), /has no dest host-a/);
    assert.deepEqual(await conductor('resize_switch_host', { uuid, migration_uuid: migrationUuid, host: 'host-b' }), { updated: true });
    await update('host-b', { vm_state: 'resized', task_state: null, power_state: 1 }, ['resize_finish']);
    await conductor('migration_status', { migration_uuid: migrationUuid, host: 'host-b', status: 'finished' });
  }

  before(async () => {
    world = await startConductorWorld({
      hosts: HOSTS, agent: async () => undefined, handlers: record,
      inventory: { VCPU: { total: 16 }, MEMORY_MB: { total: 16384 }, DISK_GB: { total: 1000 } },
    });
    await world.startConductor('conductor-1');
    bigFlavor = (await world.h.createFlavor({ name: 'big', ram: 2048, vcpus: 2, disk: 20 })).id;
  });
  after(async () => { await world?.close(); });
  beforeEach(() => { received = []; });

  it('resize: destination claimed on the other host, source held by the migration; finish → VERIFY_RESIZE; confirm frees the source', async () => {
    const uuid = await activeServer();
    const res = await act(uuid, { resize: { flavorRef: bigFlavor } });
    assert.equal(res.statusCode, 202, res.body);
    const migration = await migrationOf(uuid);
    assert.equal(migration.status, 'migrating');
    assert.equal(migration.migration_type, 'resize');
    assert.equal(migration.source_compute, 'host-a');
    assert.equal(migration.dest_compute, 'host-b');
    const row = await load(uuid);
    assert.equal(row.task_state, 'resize_prep');
    assert.equal(JSON.parse(row.system_metadata).old_vm_state, 'active');
    assert.deepEqual(await resources(migration.uuid), { [world.nodes['host-a']!]: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 } });
    assert.deepEqual(await resources(uuid), { [world.nodes['host-b']!]: { VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 } });
    await waitReceived(1);
    assert.equal(received[0]!.host, 'host-a');
    assert.equal(received[0]!.method, 'resize_instance');
    assert.equal(received[0]!.args.dest_host, 'host-b');
    assert.equal((received[0]!.args.flavor as { vcpus: number }).vcpus, 2);
    assert.equal(received[0]!.args.power_on, true);
    const shown = await world.h.request('GET', `/v2.1/servers/${uuid}`);
    assert.equal(shown.json().server.status, 'RESIZE');

    await finishOnDestination(uuid, migration.uuid);
    const resized = await load(uuid);
    assert.equal(resized.host, 'host-b');
    assert.equal(resized.vcpus, 2);
    assert.equal(JSON.parse(resized.flavor).flavorid, bigFlavor);
    const verify = await world.h.request('GET', `/v2.1/servers/${uuid}`, { version: '2.47' });
    assert.equal(verify.json().server.status, 'VERIFY_RESIZE');
    assert.equal(verify.json().server.flavor.vcpus, 2);
    const listed = await world.h.request('GET', `/v2.1/os-migrations?instance_uuid=${uuid}`, { version: '2.59' });
    assert.deepEqual(listed.json().migrations.map((m: { uuid: string; status: string }) => [m.uuid, m.status]), [[migration.uuid, 'finished']]);

    const confirm = await act(uuid, { confirmResize: null });
    assert.equal(confirm.statusCode, 204, confirm.body);
    await waitReceived(2);
    assert.deepEqual([received[1]!.host, received[1]!.method], ['host-a', 'confirm_resize']);
    assert.equal((await act(uuid, { confirmResize: null })).statusCode, 400, 'a second confirm finds no finished migration');
    await conductor('resize_confirmed', { uuid, migration_uuid: migration.uuid, host: 'host-a' });
    assert.equal((await migrationOf(uuid)).status, 'confirmed');
    assert.deepEqual(await resources(migration.uuid), {});
    assert.deepEqual(await resources(uuid), { [world.nodes['host-b']!]: { VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 } });
    assert.equal((await load(uuid)).vm_state, 'active');
  });

  it('cold migration then revert: the server goes back to the source with its allocation', async () => {
    const uuid = await activeServer();
    assert.equal((await act(uuid, { migrate: null })).statusCode, 202);
    const migration = await migrationOf(uuid);
    assert.equal(migration.migration_type, 'migration');
    await finishOnDestination(uuid, migration.uuid);
    assert.equal((await act(uuid, { revertResize: null })).statusCode, 202);
    assert.equal((await load(uuid)).task_state, 'resize_reverting');
    await waitReceived(2);
    assert.deepEqual([received[1]!.host, received[1]!.method], ['host-b', 'revert_resize']);
    assert.deepEqual(await conductor('resize_revert_switch', { uuid, migration_uuid: migration.uuid, host: 'host-b' }), { source_host: 'host-a', power_on: true });
    const back = await load(uuid);
    assert.equal(back.host, 'host-a');
    assert.equal(back.compute_node_uuid, world.nodes['host-a']);
    assert.deepEqual(JSON.parse(back.flavor), FLAVOR);
    assert.deepEqual(await resources(uuid), { [world.nodes['host-a']!]: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 } });
    assert.deepEqual(await resources(migration.uuid), {});
  });

  it('refuses: same flavor and a shrinking disk (400), the source as destination (400), not resized (409), nothing changed', async () => {
    const uuid = await activeServer();
    const current = (await world.h.createFlavor({ name: 'current', ram: 1024, vcpus: 1, disk: 10 })).id;
    await world.h.db.updateTable('nova_instance').set({ flavor: JSON.stringify({ ...FLAVOR, flavorid: current }) }).where('uuid', '=', uuid).execute();
    const same = await act(uuid, { resize: { flavorRef: current } });
    assert.equal(same.statusCode, 400, same.body);
    assert.match(same.json().badRequest.message, /must change flavor/);
    const small = (await world.h.createFlavor({ name: 'small-disk', ram: 2048, vcpus: 2, disk: 5 })).id;
    assert.equal((await act(uuid, { resize: { flavorRef: small } })).statusCode, 400);
    assert.equal((await act(uuid, { migrate: { host: 'host-a' } })).statusCode, 400);
    assert.equal((await act(uuid, { confirmResize: null })).statusCode, 409);
    assert.equal((await act(uuid, { revertResize: null })).statusCode, 409);
    const row = await load(uuid);
    assert.equal(row.task_state, null);
    assert.equal(await world.h.db.selectFrom('nova_migration').select('id').where('instance_uuid', '=', uuid).executeTakeFirst(), undefined);
  });

  it('no host for the new flavor: 400 NoValidHost, task cleared, allocation back on the server, migration error', async () => {
    const uuid = await activeServer();
    const huge = (await world.h.createFlavor({ name: 'huge', ram: 1024, vcpus: 15, disk: 10 })).id;
    // host-b has 16 VCPU but 15 + what host-a's servers use elsewhere is irrelevant: fill host-b first.
    await world.placement.setInventories(world.nodes['host-b']!, { VCPU: { total: 4 }, MEMORY_MB: { total: 16384 }, DISK_GB: { total: 1000 } });
    try {
      const res = await act(uuid, { resize: { flavorRef: huge } });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().badRequest.message, /No valid host/);
      assert.equal((await load(uuid)).task_state, null);
      assert.equal((await migrationOf(uuid)).status, 'error');
      assert.deepEqual(await resources(uuid), { [world.nodes['host-a']!]: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 } });
      assert.equal(received.length, 0);
    } finally {
      await world.placement.setInventories(world.nodes['host-b']!, { VCPU: { total: 16 }, MEMORY_MB: { total: 16384 }, DISK_GB: { total: 1000 } });
    }
  });

  it('a resize left in VERIFY_RESIZE past resize_confirm_window is confirmed automatically', async () => {
    const uuid = await activeServer();
    assert.equal((await act(uuid, { migrate: null })).statusCode, 202);
    const migration = await migrationOf(uuid);
    await finishOnDestination(uuid, migration.uuid);
    const deps = { db: world.h.db, bus: world.bus, placement: world.placement, compute: { ...world.h.deps.compute, resizeConfirmWindowSeconds: 60 } };
    assert.deepEqual(await confirmOverdueResizes(deps), [], 'not yet overdue');
    assert.deepEqual(await confirmOverdueResizes(deps, Date.now() + 61_000), [uuid]);
    assert.equal((await migrationOf(uuid)).status, 'confirming');
    await waitReceived(2);
    assert.deepEqual([received[1]!.host, received[1]!.method], ['host-a', 'confirm_resize']);
    const actions = await world.h.db.selectFrom('nova_instance_action').select('action').where('instance_uuid', '=', uuid).orderBy('id').execute();
    assert.deepEqual(actions.map((a) => a.action), ['create', 'migrate', 'confirmResize']);
  });

  it('shelve offload frees the host; unshelve schedules again and sends the build with the ports of the info cache', async () => {
    const uuid = await activeServer();
    const port = 'b00710ad-0000-4000-8000-000000000009';
    await world.h.db.insertInto('nova_instance_info_cache').values({
      instance_uuid: uuid, updated_at: nowIso(), network_info: JSON.stringify([{
        id: port, address: 'fa:16:3e:00:00:09', type: 'bridge', devname: `tap${port.slice(0, 11)}`, active: true, preserve_on_delete: true,
        network: { id: 'n1', label: 'net1', mtu: 1450, subnets: [] },
      }]),
    }).execute();
    await world.h.db.updateTable('nova_instance').set({ vm_state: 'shelved', task_state: 'shelving_offloading', system_metadata: JSON.stringify({ shelved_image_id: '11111111-2222-4333-8444-555555555555' }) })
      .where('uuid', '=', uuid).execute();
    assert.deepEqual(await conductor('shelve_offloaded', { uuid, host: 'host-b' }), { updated: false }, 'only the host it is on may offload it');
    assert.deepEqual(await conductor('shelve_offloaded', { uuid, host: 'host-a' }), { updated: true });
    const offloaded = await load(uuid);
    assert.deepEqual([offloaded.vm_state, offloaded.task_state, offloaded.host], ['shelved_offloaded', null, null]);
    assert.deepEqual(await resources(uuid), {});

    const res = await act(uuid, { unshelve: { host: 'host-b' } }, '2.91');
    assert.equal(res.statusCode, 202, res.body);
    await waitReceived(1);
    assert.deepEqual([received[0]!.host, received[0]!.method], ['host-b', 'unshelve_instance']);
    assert.equal(received[0]!.args.local, false);
    assert.equal(received[0]!.args.shelved_image_id, '11111111-2222-4333-8444-555555555555');
    assert.deepEqual(received[0]!.args.ports, [{ id: port, mac: 'fa:16:3e:00:00:09', tap: `tap${port.slice(0, 11)}`, mtu: 1450, created: false }]);
    assert.equal((received[0]!.args.build as { uuid: string }).uuid, uuid);
    const placed = await load(uuid);
    assert.deepEqual([placed.host, placed.task_state], ['host-b', 'unshelving']);
    assert.deepEqual(await resources(uuid), { [world.nodes['host-b']!]: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 } });
    assert.equal((await act(uuid, { unshelve: null })).statusCode, 409, 'not while unshelving');
  });
});

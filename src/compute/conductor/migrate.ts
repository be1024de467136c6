// The conductor's side of resize and cold migration (nova.conductor.tasks.migrate +
// the allocation moves of nova.compute.manager): choose a destination, hold the source's
// resources under the migration and the new flavor's on the destination under the server, and
// hand over to the source's agent. The agents report each step back (migration-protocol.ts);
// every write here is guarded by the host that speaks and the state the step expects.
import type { Kysely } from 'kysely';
import type { PlacementClient } from '../../core/clients/placement-client.js';
import type { ComputeDb, InstanceRow, MigrationRow } from '../db/schema.js';
import { inTransaction, nowIso, type ComputeTx } from '../db/transaction.js';
import { findInstanceAction, finishActionEvent, startActionEvent } from '../domain/servers/instance-actions.js';
import { loadInstance } from '../domain/servers/lookup.js';
import { advanceMigration, flavorColumns, loadMigration, migrationFlavor } from '../domain/servers/migrations.js';
import { COMPUTE_RPC_TOPIC, type FlavorSnapshot } from '../rpc/compute-protocol.js';
import { loadHostStates, resourcesFromFlavor, selectHosts, type RequestSpec } from '../scheduler/index.js';
import { claim, insertFault, loadSpec, NO_VALID_HOST, type ConductorDeps } from './build.js';
import { POWER_STATE } from './instance-protocol.js';
import type { LiveMigrate, MigrateServer, MigrationStatus, MigrationStep, ResizeFailed } from './migration-protocol.js';

export const MIGRATE_EVENT = 'conductor_migrate_server';
export const LIVE_MIGRATE_EVENT = 'conductor_live_migrate_instance';

/** nova.exception.NoValidHost: the API answers 400 with its message. */
export class NoValidHost extends Error {
  override readonly name = 'NoValidHost';
}

export class MigrationStateError extends Error {
  override readonly name = 'MigrationStateError';
}

/**
 * Moves every allocation of consumer `from` to consumer `to` (which gives up what it held), in one
 * POST /allocations so no other claim can slip between (Nova's move_allocations).
 */
export async function moveAllocations(placement: PlacementClient, from: string, to: string, owner: { project_id: string; user_id: string }): Promise<void> {
  const [source, target] = await Promise.all([placement.getAllocations(from), placement.getAllocations(to)]);
  const allocations = Object.fromEntries(Object.entries(source.allocations).map(([rp, a]) => [rp, { resources: a.resources }]));
  await placement.postAllocations({
    [to]: { allocations, ...owner, consumer_generation: target.consumer_generation ?? null },
    [from]: { allocations: {}, ...owner, consumer_generation: source.consumer_generation ?? null },
  });
}

async function setSpecFlavor(trx: ComputeTx, uuid: string, flavor: FlavorSnapshot): Promise<void> {
  const row = await trx.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', uuid).executeTakeFirst();
  if (!row) return;
  const raw = JSON.parse(row.spec) as Record<string, unknown>;
  await trx.updateTable('nova_request_spec').set({ spec: JSON.stringify({ ...raw, flavor }), updated_at: nowIso() }).where('instance_uuid', '=', uuid).execute();
}

async function addFault(trx: ComputeTx, uuid: string, message: string, host: string | null): Promise<void> {
  await insertFault(trx, uuid, { code: 400, message, details: '', host });
}

export async function conductorEvent(db: Kysely<ComputeDb>, uuid: string, requestId: string, event: string, result?: 'Success' | 'Error'): Promise<void> {
  await inTransaction(db, async (trx) => {
    const action = await findInstanceAction(trx, uuid, requestId);
    if (!action) return;
    if (result === undefined) await startActionEvent(trx, action.id, event, null);
    else await finishActionEvent(trx, action.id, event, result);
  });
}

export function owner(m: MigrationRow, row: InstanceRow): { project_id: string; user_id: string } {
  return { project_id: m.project_id ?? row.project_id, user_id: m.user_id ?? row.user_id };
}

export interface Destination { readonly host: string; readonly nodename: string; readonly node_uuid: string }

/**
 * Picks a destination other than the server's host for `flavor` (`host`: the admin's choice;
 * `force`: without the filters) and claims it: the source's resources move to the migration as
 * consumer, the server claims the flavor on the destination. Everything is undone on failure.
 */
export async function claimDestination(deps: ConductorDeps, row: InstanceRow, migration: MigrationRow, flavor: FlavorSnapshot,
  requested: { host: string | null; force?: boolean }, requestId: string): Promise<Destination> {
  const loaded = await loadSpec(deps.db, row.uuid);
  if (!loaded) throw new NoValidHost(`${NO_VALID_HOST} The instance has no request spec.`);
  const placement = deps.placement.withRequestId(requestId);
  const who = owner(migration, row);
  const forced = requested.force === true && requested.host !== null;
  const spec: RequestSpec = {
    ...loaded.spec, instance_uuids: [row.uuid], num_instances: 1, min_count: 1, flavor,
    force_host: forced ? requested.host : null, force_node: null,
    requested_destination: requested.host !== null && !forced ? { host: requested.host, node: null } : null, request_id: requestId,
  };
  const resources = resourcesFromFlavor(flavor, spec.image.id === '');
  const candidates = await placement.getAllocationCandidates({ resources, limit: deps.compute.scheduler.maxPlacementResults });
  // Never the host it is on (Nova's allow_resize_to_same_host is off by default).
  const nodes = [...new Set(candidates.allocation_requests.flatMap((r) => Object.keys(r.allocations)))].filter((n) => n !== row.compute_node_uuid);
  const states = await loadHostStates(deps.db, nodes, candidates.provider_summaries, deps.compute, spec.scheduler_hints.group);
  const list = selectHosts(spec, nodes, states, deps.compute)[0] ?? [];
  if (list.length === 0) throw new NoValidHost(NO_VALID_HOST);
  // The source's resources stay held, by the migration, until the move is confirmed or undone.
  await moveAllocations(placement, row.uuid, migration.uuid, who);
  for (const sel of list) {
    if (await claim(placement, row.uuid, sel.node_uuid, resources, who)) return sel;
  }
  await moveAllocations(placement, migration.uuid, row.uuid, who).catch(() => undefined);
  throw new NoValidHost(NO_VALID_HOST);
}

/** A move that could not start: the migration `error`, the task cleared, a fault and the event. */
export async function moveNotStarted(deps: ConductorDeps, row: InstanceRow, migration: MigrationRow, task: string, error: unknown, requestId: string, event: string): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    await trx.updateTable('nova_migration').set({ status: 'error', updated_at: nowIso() }).where('uuid', '=', migration.uuid).execute();
    await trx.updateTable('nova_instance').set({ task_state: null, updated_at: nowIso() }).where('uuid', '=', row.uuid).where('task_state', '=', task).execute();
    await addFault(trx, row.uuid, (error as Error).message, null);
  });
  await conductorEvent(deps.db, row.uuid, requestId, event, 'Error');
}

export async function moveStart(deps: ConductorDeps, uuid: string, migrationUuid: string, task: string, status: string): Promise<{ row: InstanceRow & { host: string }; migration: MigrationRow }> {
  const row = await loadInstance(deps.db, uuid);
  const migration = await loadMigration(deps.db, migrationUuid);
  if (!row || row.task_state !== task || !row.host || !migration || migration.instance_uuid !== row.uuid || migration.status !== status) {
    throw new MigrationStateError(`Instance ${uuid} is not waiting for migration ${migrationUuid}`);
  }
  return { row: row as InstanceRow & { host: string }, migration };
}

/** migrate_server: schedule and claim the destination, then cast resize_instance to the source. */
export async function migrateServer(deps: ConductorDeps, a: MigrateServer): Promise<{ host: string }> {
  const { row, migration } = await moveStart(deps, a.uuid, a.migration_uuid, 'resize_prep', 'pre-migrating');
  await conductorEvent(deps.db, row.uuid, a.request_id, MIGRATE_EVENT);
  const flavor = migrationFlavor(migration, 'new');
  let dest: Destination;
  try {
    dest = await claimDestination(deps, row, migration, flavor, { host: a.host }, a.request_id);
  } catch (error) {
    await moveNotStarted(deps, row, migration, 'resize_prep', error, a.request_id, MIGRATE_EVENT);
    throw error;
  }
  await advanceMigration(deps.db, migration.uuid, ['pre-migrating'], 'migrating', { dest_compute: dest.host, dest_node: dest.nodename, dest_node_uuid: dest.node_uuid });
  await conductorEvent(deps.db, row.uuid, a.request_id, MIGRATE_EVENT, 'Success');
  await deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host }, 'resize_instance', {
    uuid: row.uuid, request_id: a.request_id, migration_uuid: migration.uuid, dest_host: dest.host, flavor: flavor as unknown as Record<string, unknown>,
    power_on: row.vm_state === 'active',
  });
  return { host: dest.host };
}

/**
 * live_migrate_instance (a cast: the API answered 202): the destination claimed as for a cold
 * move, then live_migration cast to the source. No host: the server stays where it runs.
 */
export async function liveMigrateInstance(deps: ConductorDeps, a: LiveMigrate): Promise<void> {
  const { row, migration } = await moveStart(deps, a.uuid, a.migration_uuid, 'migrating', 'accepted');
  await conductorEvent(deps.db, row.uuid, a.request_id, LIVE_MIGRATE_EVENT);
  let dest: Destination;
  try {
    dest = await claimDestination(deps, row, migration, migrationFlavor(migration, 'new'), { host: a.host, force: a.force }, a.request_id);
  } catch (error) {
    await moveNotStarted(deps, row, migration, 'migrating', error, a.request_id, LIVE_MIGRATE_EVENT);
    return;
  }
  await advanceMigration(deps.db, migration.uuid, ['accepted'], 'preparing', { dest_compute: dest.host, dest_node: dest.nodename, dest_node_uuid: dest.node_uuid });
  await conductorEvent(deps.db, row.uuid, a.request_id, LIVE_MIGRATE_EVENT, 'Success');
  await deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host }, 'live_migration', {
    uuid: row.uuid, request_id: a.request_id, migration_uuid: migration.uuid, dest_host: dest.host,
  });
}

/** The guest runs on the destination: the server lives there, the source's resources are freed. */
export async function liveMigrationSwitch(deps: ConductorDeps, a: MigrationStep): Promise<{ updated: boolean }> {
  const migration = await stepMigration(deps.db, a, 'source');
  const updated = await inTransaction(deps.db, async (trx) => {
    const res = await trx.updateTable('nova_instance').set({
      host: migration.dest_compute, node: migration.dest_node, compute_node_uuid: migration.dest_node_uuid, updated_at: nowIso(),
    }).where('uuid', '=', a.uuid).where('deleted', '=', 0).where('host', '=', a.host).where('task_state', '=', 'migrating').executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await trx.updateTable('nova_migration').set({ status: 'completed', updated_at: nowIso() }).where('uuid', '=', migration.uuid).execute();
    return true;
  });
  if (updated) await deps.placement.deleteAllocations(migration.uuid).catch(() => undefined);
  return { updated };
}

async function stepMigration(db: Kysely<ComputeDb>, a: MigrationStep, side: 'source' | 'dest'): Promise<MigrationRow> {
  const migration = await loadMigration(db, a.migration_uuid);
  const host = side === 'source' ? migration?.source_compute : migration?.dest_compute;
  if (!migration || migration.instance_uuid !== a.uuid || host !== a.host) {
    throw new MigrationStateError(`Migration ${a.migration_uuid} of instance ${a.uuid} has no ${side} ${a.host}`);
  }
  return migration;
}

export async function migrationStatus(deps: ConductorDeps, a: MigrationStatus): Promise<Record<string, never>> {
  const migration = await loadMigration(deps.db, a.migration_uuid);
  if (!migration || (migration.source_compute !== a.host && migration.dest_compute !== a.host)) {
    throw new MigrationStateError(`Migration ${a.migration_uuid} does not involve host ${a.host}`);
  }
  await deps.db.updateTable('nova_migration').set({ status: a.status, updated_at: nowIso() }).where('uuid', '=', migration.uuid).execute();
  return {};
}

/** finish_resize on the destination: the server now lives there, with the new flavor. */
export async function resizeSwitchHost(deps: ConductorDeps, a: MigrationStep): Promise<{ updated: boolean }> {
  const migration = await stepMigration(deps.db, a, 'dest');
  const flavor = migrationFlavor(migration, 'new');
  return inTransaction(deps.db, async (trx) => {
    const res = await trx.updateTable('nova_instance').set({
      host: migration.dest_compute, node: migration.dest_node, compute_node_uuid: migration.dest_node_uuid, task_state: 'resize_finish',
      ...flavorColumns(flavor), updated_at: nowIso(),
    }).where('uuid', '=', a.uuid).where('deleted', '=', 0).where('host', '=', migration.source_compute!).where('task_state', '=', 'resize_migrated').executeTakeFirst();
    const updated = Number(res.numUpdatedRows) === 1;
    if (updated) {
      await setSpecFlavor(trx, a.uuid, flavor);
      await trx.updateTable('nova_migration').set({ status: 'post-migrating', updated_at: nowIso() }).where('uuid', '=', migration.uuid).execute();
    }
    return { updated };
  });
}

/** confirm_resize done on the source: its resources are given back and the server is settled. */
export async function resizeConfirmed(deps: ConductorDeps, a: MigrationStep): Promise<Record<string, never>> {
  const migration = await stepMigration(deps.db, a, 'source');
  if (!(await advanceMigration(deps.db, migration.uuid, ['confirming'], 'confirmed'))) return {};
  await deps.placement.deleteAllocations(migration.uuid).catch(() => undefined);
  const row = await loadInstance(deps.db, a.uuid);
  if (row) {
    await deps.db.updateTable('nova_instance').set({
      vm_state: row.power_state === POWER_STATE.RUNNING ? 'active' : 'stopped', task_state: null, updated_at: nowIso(),
    }).where('uuid', '=', a.uuid).where('vm_state', '=', 'resized').execute();
  }
  return {};
}

/** revert_resize on the destination (its guest gone): the server goes back to the source as it was. */
export async function resizeRevertSwitch(deps: ConductorDeps, a: MigrationStep): Promise<{ source_host: string; power_on: boolean }> {
  const migration = await stepMigration(deps.db, a, 'dest');
  const row = await loadInstance(deps.db, a.uuid);
  if (!row || row.host !== migration.dest_compute || row.task_state !== 'resize_reverting') {
    throw new MigrationStateError(`Instance ${a.uuid} is not reverting on ${a.host}`);
  }
  const flavor = migrationFlavor(migration, 'old');
  // The destination's claim goes; the source's, held by the migration, is the server's again.
  await deps.placement.deleteAllocations(row.uuid).catch(() => undefined);
  await moveAllocations(deps.placement, migration.uuid, row.uuid, owner(migration, row));
  await inTransaction(deps.db, async (trx) => {
    await trx.updateTable('nova_instance').set({
      host: migration.source_compute, node: migration.source_node, compute_node_uuid: migration.source_node_uuid, ...flavorColumns(flavor), updated_at: nowIso(),
    }).where('uuid', '=', a.uuid).execute();
    await setSpecFlavor(trx, a.uuid, flavor);
  });
  const system = JSON.parse(row.system_metadata || '{}') as Record<string, string>;
  return { source_host: migration.source_compute!, power_on: system.old_vm_state !== 'stopped' };
}

/** The source could not send the server away (resize, cold or live migration): everything back as before. */
export async function resizeFailed(deps: ConductorDeps, a: ResizeFailed): Promise<Record<string, never>> {
  const migration = await stepMigration(deps.db, a, 'source');
  const row = await loadInstance(deps.db, a.uuid);
  if (row && row.host === a.host) {
    await deps.placement.deleteAllocations(row.uuid).catch(() => undefined);
    await moveAllocations(deps.placement, migration.uuid, row.uuid, owner(migration, row)).catch(() => undefined);
  }
  await inTransaction(deps.db, async (trx) => {
    await trx.updateTable('nova_migration').set({ status: 'error', updated_at: nowIso() }).where('uuid', '=', migration.uuid).execute();
    await trx.updateTable('nova_instance').set({ task_state: null, updated_at: nowIso() })
      .where('uuid', '=', a.uuid).where('host', '=', a.host).where('task_state', 'in', ['resize_prep', 'resize_migrating', 'resize_migrated', 'migrating']).execute();
    await addFault(trx, a.uuid, a.reason, a.host);
  });
  return {};
}

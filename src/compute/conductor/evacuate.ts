// The conductor's side of evacuate (nova.conductor.manager.rebuild_instance with a new host, and
// the source's _destroy_evacuated_instances): the server's host is dead, so nothing is asked of
// it. A destination is claimed as for a cold move (the dead host's resources stay held by the
// migration until the source, back again, has cleaned up), the server is switched to it at once,
// and the destination rebuilds the server from its image with its own ports.
import { COMPUTE_RPC_TOPIC, type FlavorSnapshot, type VifInfo } from '../rpc/compute-protocol.js';
import { parseNetworkInfo } from '../rpc/vif-info.js';
import { inTransaction, nowIso } from '../db/transaction.js';
import { advanceMigration, loadMigration } from '../domain/servers/migrations.js';
import { hostZone, instanceBuild, loadSpec, type ConductorDeps } from './build.js';
import { claimDestination, conductorEvent, MigrationStateError, moveNotStarted, moveStart, type Destination } from './migrate.js';
import type { EvacuateInstance, MigrationStep } from './migration-protocol.js';

export const EVACUATE_EVENT = 'conductor_rebuild_instance';

/** Migration statuses of an evacuation that left its source (Nova's list, `failed` too: the server lives elsewhere either way). */
const LEFT_SOURCE = ['pre-migrating', 'done', 'failed'];

/** A port as the destination's record keeps it: `created` is the inverse of the cache's preserve_on_delete. */
export interface EvacuatedPort { readonly id: string; readonly mac: string; readonly tap: string; readonly mtu: number | null; readonly created: boolean }

export function portsFromCache(cache: readonly VifInfo[]): EvacuatedPort[] {
  return cache.map((vif) => ({ id: vif.id, mac: vif.address, tap: vif.devname, mtu: vif.network.mtu, created: !vif.preserve_on_delete }));
}

/**
 * evacuate_instance (a cast: the API answered already): destination claimed, the server switched
 * to it (only while still rebuilding on the dead host), rebuild_evacuated_instance cast there.
 * No host: the move never starts (migration error, task cleared, fault), as for a cold move.
 */
export async function evacuateInstance(deps: ConductorDeps, a: EvacuateInstance): Promise<void> {
  const { row, migration } = await moveStart(deps, a.uuid, a.migration_uuid, 'rebuilding', 'accepted');
  await conductorEvent(deps.db, row.uuid, a.request_id, EVACUATE_EVENT);
  const flavor = JSON.parse(row.flavor) as FlavorSnapshot;
  let dest: Destination;
  try {
    dest = await claimDestination(deps, row, migration, flavor, { host: a.host, force: a.force }, a.request_id);
  } catch (error) {
    await moveNotStarted(deps, row, migration, 'rebuilding', error, a.request_id, EVACUATE_EVENT);
    return;
  }
  const switched = await inTransaction(deps.db, async (trx) => {
    const res = await trx.updateTable('nova_instance').set({ host: dest.host, node: dest.nodename, compute_node_uuid: dest.node_uuid, updated_at: nowIso() })
      .where('uuid', '=', row.uuid).where('deleted', '=', 0).where('host', '=', row.host).where('task_state', '=', 'rebuilding').executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  });
  if (!switched) {
    // Deleted meanwhile: nothing will run on the destination, so its claim and the migration's go.
    await deps.placement.deleteAllocations(row.uuid).catch(() => undefined);
    await deps.placement.deleteAllocations(migration.uuid).catch(() => undefined);
    await advanceMigration(deps.db, migration.uuid, ['accepted'], 'error');
    await conductorEvent(deps.db, row.uuid, a.request_id, EVACUATE_EVENT, 'Error');
    return;
  }
  await advanceMigration(deps.db, migration.uuid, ['accepted'], 'pre-migrating', { dest_compute: dest.host, dest_node: dest.nodename, dest_node_uuid: dest.node_uuid });
  await conductorEvent(deps.db, row.uuid, a.request_id, EVACUATE_EVENT, 'Success');
  const loaded = await loadSpec(deps.db, row.uuid);
  if (!loaded) throw new MigrationStateError(`Instance ${row.uuid} has no request spec`);
  const build = await instanceBuild(deps.db, row, { ...loaded.spec, flavor }, dest.node_uuid, await hostZone(deps.db, dest.host, deps.compute), 1);
  const cache = await deps.db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', row.uuid).executeTakeFirst();
  await deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: dest.host }, 'rebuild_evacuated_instance', {
    uuid: row.uuid, request_id: a.request_id, migration_uuid: migration.uuid,
    record: { build: { ...build, request_id: a.request_id, admin_password: a.admin_password }, ports: portsFromCache(parseNetworkInfo(cache?.network_info ?? null)) },
    power_on: !a.stopped && row.vm_state !== 'stopped',
  });
}

/** evacuations_from_host: what a returning source must destroy (the servers that left it). */
export async function evacuationsFromHost(deps: ConductorDeps, host: string): Promise<{ uuid: string; migration_uuid: string }[]> {
  const rows = await deps.db.selectFrom('nova_migration').innerJoin('nova_instance', 'nova_instance.uuid', 'nova_migration.instance_uuid')
    .select(['nova_migration.uuid as migration_uuid', 'nova_instance.uuid as uuid', 'nova_instance.host as host'])
    .where('nova_migration.migration_type', '=', 'evacuation').where('nova_migration.source_compute', '=', host)
    .where('nova_migration.status', 'in', LEFT_SOURCE).where('nova_migration.deleted', '=', 0).orderBy('nova_migration.id').execute();
  // A server that is (again) on this host is this host's own: never destroyed.
  return rows.filter((r) => r.host !== host).map((r) => ({ uuid: r.uuid, migration_uuid: r.migration_uuid }));
}

/** evacuation_cleaned: the source destroyed its copy; the migration is completed and the dead host's resources freed. */
export async function evacuationCleaned(deps: ConductorDeps, a: MigrationStep): Promise<Record<string, never>> {
  const migration = await loadMigration(deps.db, a.migration_uuid);
  if (!migration || migration.instance_uuid !== a.uuid || migration.source_compute !== a.host || migration.migration_type !== 'evacuation') {
    throw new MigrationStateError(`Migration ${a.migration_uuid} of instance ${a.uuid} is no evacuation from ${a.host}`);
  }
  if (await advanceMigration(deps.db, migration.uuid, LEFT_SOURCE, 'completed')) {
    await deps.placement.deleteAllocations(migration.uuid).catch(() => undefined);
  }
  return {};
}

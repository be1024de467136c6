// Migration rows (nova.objects.Migration): created by the API when a move starts, advanced by the
// conductor and agents, read by confirm/revert and the os-migrations API. Helpers shared by all.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ComputeDb, InstanceRow, MigrationRow } from '../../db/schema.js';
import { nextId, nowIso, type ComputeTx } from '../../db/transaction.js';
import type { FlavorSnapshot } from '../../rpc/compute-protocol.js';

export type MigrationType = 'resize' | 'migration' | 'live-migration' | 'evacuation';

/** Statuses of a move still under way (Nova's migration "in progress" set, for one server at a time). */
export const IN_PROGRESS_STATUSES = ['queued', 'pre-migrating', 'migrating', 'post-migrating', 'preparing', 'running', 'finished', 'confirming', 'reverting'];

export interface NewMigration {
  readonly instance: InstanceRow;
  readonly type: MigrationType;
  readonly oldFlavor: FlavorSnapshot;
  readonly newFlavor: FlavorSnapshot;
  readonly requestId: string;
  readonly userId: string;
  readonly projectId: string;
  readonly status?: string;
}

export async function createMigration(trx: ComputeTx, m: NewMigration): Promise<MigrationRow> {
  const now = nowIso();
  const row: MigrationRow = {
    id: await nextId(trx, 'nova_migration'), uuid: randomUUID(), instance_uuid: m.instance.uuid, migration_type: m.type, status: m.status ?? 'pre-migrating',
    source_compute: m.instance.host, source_node: m.instance.node, source_node_uuid: m.instance.compute_node_uuid,
    dest_compute: null, dest_node: null, dest_node_uuid: null, dest_host: null,
    old_instance_type_id: m.oldFlavor.id, new_instance_type_id: m.newFlavor.id,
    old_flavor: JSON.stringify(m.oldFlavor), new_flavor: JSON.stringify(m.newFlavor),
    user_id: m.userId, project_id: m.projectId, request_id: m.requestId,
    memory_total: null, memory_processed: null, memory_remaining: null, disk_total: null, disk_processed: null, disk_remaining: null,
    created_at: now, updated_at: now, deleted: 0, deleted_at: null,
  };
  await trx.insertInto('nova_migration').values(row).execute();
  return row;
}

export function loadMigration(db: Kysely<ComputeDb>, uuid: string): Promise<MigrationRow | undefined> {
  return db.selectFrom('nova_migration').selectAll().where('uuid', '=', uuid).where('deleted', '=', 0).executeTakeFirst();
}

/** The server's newest migration in one of `statuses` (confirm/revert look for `finished`). */
export function latestMigration(db: Kysely<ComputeDb>, instanceUuid: string, statuses: readonly string[]): Promise<MigrationRow | undefined> {
  return db.selectFrom('nova_migration').selectAll().where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0)
    .where('status', 'in', [...statuses]).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** Moves the status on only from one of `from` (false: someone else moved it first). */
export async function advanceMigration(db: Kysely<ComputeDb>, uuid: string, from: readonly string[], to: string,
  extra: Partial<Pick<MigrationRow, 'dest_compute' | 'dest_node' | 'dest_node_uuid' | 'dest_host'>> = {}): Promise<boolean> {
  const res = await db.updateTable('nova_migration').set({ status: to, updated_at: nowIso(), ...extra })
    .where('uuid', '=', uuid).where('status', 'in', [...from]).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The instance columns a flavor sets (nova_instance.flavor and the copied sizes). */
export function flavorColumns(flavor: FlavorSnapshot): Pick<InstanceRow, 'flavor' | 'vcpus' | 'memory_mb' | 'root_gb' | 'ephemeral_gb'> {
  return { flavor: JSON.stringify(flavor), vcpus: flavor.vcpus, memory_mb: flavor.memory_mb, root_gb: flavor.root_gb, ephemeral_gb: flavor.ephemeral_gb };
}

export function migrationFlavor(row: MigrationRow, which: 'old' | 'new'): FlavorSnapshot {
  const raw = which === 'old' ? row.old_flavor : row.new_flavor;
  if (raw === null) throw new Error(`migration ${row.uuid} has no ${which} flavor`);
  return JSON.parse(raw) as FlavorSnapshot;
}

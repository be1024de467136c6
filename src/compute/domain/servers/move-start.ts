// The one transaction that starts a move the conductor schedules (live migration, evacuation):
// the task claimed only while the server is still where and as the checks saw it (a racing
// request gets Nova's 409), the instance action recorded and an `accepted` migration row made,
// with the server's own flavor on both sides (these moves never change it).
import type { Kysely } from 'kysely';
import { ApiError } from '../../../core/errors.js';
import type { ComputeDb, InstanceRow, MigrationRow } from '../../db/schema.js';
import { inTransaction, nowIso } from '../../db/transaction.js';
import type { FlavorSnapshot } from '../../rpc/compute-protocol.js';
import type { Caller } from '../caller.js';
import { recordInstanceAction } from './instance-actions.js';
import { createMigration, type MigrationType } from './migrations.js';

export interface MoveStart {
  readonly task: string;
  readonly vmStates: readonly string[];
  readonly action: string;
  readonly type: MigrationType;
}

export function startAcceptedMove(db: Kysely<ComputeDb>, caller: Caller, row: InstanceRow & { host: string }, move: MoveStart): Promise<MigrationRow> {
  const flavor = JSON.parse(row.flavor) as FlavorSnapshot;
  return inTransaction(db, async (trx) => {
    const res = await trx.updateTable('nova_instance').set({ task_state: move.task, updated_at: nowIso() })
      .where('uuid', '=', row.uuid).where('deleted', '=', 0).where('host', '=', row.host).where('vm_state', 'in', [...move.vmStates]).where('task_state', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      throw new ApiError(409, `Conflict updating instance ${row.uuid}. Expected: {'task_state': [None]}. Actual: {'task_state': '${move.task}'}`, 'UnexpectedTaskStateError');
    }
    await recordInstanceAction(trx, { action: move.action, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId });
    return createMigration(trx, {
      instance: row, type: move.type, oldFlavor: flavor, newFlavor: flavor, requestId: caller.requestId, userId: caller.userId,
      projectId: caller.projectId, status: 'accepted',
    });
  });
}

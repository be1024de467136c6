// Nova's instance.save(expected_task_state=…) as one conditional UPDATE: the task state is taken
// only while the row is still in one of the vm states and task states the action was checked
// against, so of two racing requests one wins and the other gets UnexpectedTaskStateError (409).
// Runs inside the caller's transaction, beside the instance action it records.
import type { Kysely } from 'kysely';
import { ApiError } from '../../../core/errors.js';
import type { ComputeDb, InstanceRow } from '../../db/schema.js';
import { nowIso } from '../../db/transaction.js';
import { instanceInvalidState, instanceNotReady } from './lookup.js';

export interface TaskClaim {
  readonly vmStates: readonly string[];
  /** Task states the action may start from (null: none in progress). */
  readonly fromTask: readonly (string | null)[];
  readonly toTask: string;
}

const pyValue = (s: string | null | undefined): string => (s == null ? 'None' : `'${s}'`);

/** Takes the task state or throws Nova's UnexpectedTaskStateError; `extra` columns change with it. */
export async function claimTaskState(trx: Kysely<ComputeDb>, uuid: string, claim: TaskClaim, extra: Partial<InstanceRow> = {}): Promise<void> {
  const nonNull = claim.fromTask.filter((s): s is string => s !== null);
  const allowNull = claim.fromTask.includes(null);
  const result = await trx.updateTable('nova_instance')
    .set({ ...extra, task_state: claim.toTask, updated_at: nowIso() })
    .where('uuid', '=', uuid).where('deleted', '=', 0).where('vm_state', 'in', [...claim.vmStates])
    .where((eb) => {
      const ors = [];
      if (allowNull) ors.push(eb('task_state', 'is', null));
      if (nonNull.length > 0) ors.push(eb('task_state', 'in', nonNull));
      return eb.or(ors);
    })
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return;
  const now = await trx.selectFrom('nova_instance').select('task_state').where('uuid', '=', uuid).executeTakeFirst();
  throw new ApiError(409, `Conflict updating instance ${uuid}. Expected: {'task_state': [${claim.fromTask.map(pyValue).join(', ')}]}. Actual: {'task_state': ${pyValue(now?.task_state)}}`, 'UnexpectedTaskStateError');
}

/** An action as nova/compute/api.py's decorators describe it. */
export interface ActionTransition extends TaskClaim {
  /** The API's action name in messages ('stop', 'rescue'). */
  readonly action: string;
  /** @check_instance_host: the server must have a host. */
  readonly needsHost: boolean;
}

/** @check_instance_host + @check_instance_state (must_have_launched) on the row as read. */
export function checkInstanceState(row: InstanceRow, t: ActionTransition): void {
  if (t.needsHost && !row.host) throw instanceNotReady(row.uuid);
  if (!t.vmStates.includes(row.vm_state)) throw instanceInvalidState(row.uuid, t.action, 'vm_state', row.vm_state);
  if (!t.fromTask.includes(row.task_state)) throw instanceInvalidState(row.uuid, t.action, 'task_state', row.task_state);
  // must_have_launched: state None, so Nova's API falls back to its generic message.
  if (!row.launched_at) throw new ApiError(409, `Instance ${row.uuid} is in an invalid state for '${t.action}'`, 'InstanceInvalidState');
}

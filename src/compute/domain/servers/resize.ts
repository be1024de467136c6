// Resize, cold migration, confirm and revert as the API starts them (nova/compute/api.py resize,
// confirm_resize, revert_resize). The checks in Nova's order (lock, state, flavor), then one
// transaction claims task_state resize_prep, keeps the vm_state to return to (system_metadata
// old_vm_state), writes the migration row and the instance action; the conductor is then asked
// (a call: NoValidHost must become the API's 400) to pick and claim a destination.
// Confirm and revert move the migration on conditionally and tell the right host.
import { ApiError, badRequest, forbidden } from '../../../core/errors.js';
import { BusTimeoutError, RemoteError } from '../../../bus/index.js';
import type { ComputeDeps } from '../../api/deps.js';
import { CONDUCTOR_TOPIC } from '../../conductor/protocol.js';
import type { InstanceRow, MigrationRow } from '../../db/schema.js';
import { inTransaction, nowIso } from '../../db/transaction.js';
import { COMPUTE_RPC_TOPIC, type FlavorSnapshot } from '../../rpc/compute-protocol.js';
import type { Caller } from '../caller.js';
import { getComputeService } from '../services.js';
import { limitsFor, usages } from '../quotas.js';
import { INSTANCE_ACTION, recordInstanceAction } from './instance-actions.js';
import { checkNotLocked, instanceInvalidState, instanceNotReady, systemMetadataOf } from './lookup.js';
import { advanceMigration, createMigration, latestMigration, type MigrationType } from './migrations.js';

const RESIZE_VM_STATES = ['active', 'stopped'];
/** Scheduling and claiming answer within this, or the API gives up waiting (the conductor still finishes). */
const MIGRATE_CALL_TIMEOUT_MS = 120_000;

function checkMovable(row: InstanceRow, action: string): void {
  if (!row.host) throw instanceNotReady(row.uuid);
  if (!RESIZE_VM_STATES.includes(row.vm_state)) throw instanceInvalidState(row.uuid, action, 'vm_state', row.vm_state);
  if (row.task_state !== null) throw instanceInvalidState(row.uuid, action, 'task_state', row.task_state);
}

/** Nova's flavor checks for a resize (CannotResizeToSameFlavor, CannotResizeDisk, the disk never shrinks). */
export function checkNewFlavor(current: FlavorSnapshot, next: FlavorSnapshot): void {
  if (current.flavorid === next.flavorid) throw badRequest('When resizing, instances must change flavor!', 'CannotResizeToSameFlavor');
  if (next.root_gb === 0 && current.root_gb !== 0) throw badRequest('Unable to resize disk down. Resize to zero disk flavor is not allowed.', 'CannotResizeDisk');
  if (next.root_gb < current.root_gb) throw badRequest('Resize error: Unable to resize disk down.', 'ResizeError');
}

/** Nova's resize quota check: the growth in cores and ram must fit the project's and the user's quota (403). */
async function checkResizeQuota(deps: ComputeDeps, row: InstanceRow, current: FlavorSnapshot, next: FlavorSnapshot): Promise<void> {
  const delta: Record<string, number> = { cores: next.vcpus - current.vcpus, ram: next.memory_mb - current.memory_mb };
  for (const user of [undefined, row.user_id]) {
    const limits = await limitsFor(deps.db, deps.compute, row.project_id, user);
    const used = await usages(deps.db, row.project_id, user);
    const overs = ['cores', 'ram'].filter((r) => delta[r]! > 0 && limits[r] !== undefined && limits[r]! >= 0 && (used[r] ?? 0) + delta[r]! > limits[r]!);
    if (overs.length > 0) {
      throw forbidden(`Quota exceeded for ${overs.join(', ')}: Requested ${overs.map((r) => delta[r]).join(', ')}, but already used ${overs.map((r) => used[r] ?? 0).join(', ')} of ${overs.map((r) => limits[r]).join(', ')} ${overs.join(', ')}`, 'OverQuota');
    }
  }
}

export interface MoveRequest {
  readonly type: Extract<MigrationType, 'resize' | 'migration'>;
  /** The flavor to move to (a migration keeps the current one). */
  readonly flavor: FlavorSnapshot;
  /** Admin's requested destination (2.56). */
  readonly host: string | null;
}

/** Starts a resize or cold migration; resolves once the destination is claimed (202). */
export async function startMove(deps: ComputeDeps, caller: Caller, row: InstanceRow, request: MoveRequest): Promise<MigrationRow> {
  const action = request.type === 'resize' ? 'resize' : 'migrate';
  checkNotLocked(caller, row);
  checkMovable(row, action);
  const current = JSON.parse(row.flavor) as FlavorSnapshot;
  if (request.type === 'resize') {
    checkNewFlavor(current, request.flavor);
    await checkResizeQuota(deps, row, current, request.flavor);
  }
  if (request.host !== null && request.host === row.host) {
    throw badRequest(`The source and destination compute hosts are the same: ${row.host}`, 'ComputeHostNotFound');
  }
  if (request.host !== null) {
    const service = await getComputeService(deps.db, request.host);
    if (!service) throw badRequest(`Compute host ${request.host} could not be found.`, 'ComputeHostNotFound');
  }
  const migration = await inTransaction(deps.db, async (trx) => {
    const system = { ...systemMetadataOf(row), old_vm_state: row.vm_state };
    const res = await trx.updateTable('nova_instance').set({ task_state: 'resize_prep', progress: 0, system_metadata: JSON.stringify(system), updated_at: nowIso() })
      .where('uuid', '=', row.uuid).where('deleted', '=', 0).where('vm_state', 'in', RESIZE_VM_STATES).where('task_state', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      throw new ApiError(409, `Conflict updating instance ${row.uuid}. Expected: {'task_state': [None]}. Actual: {'task_state': 'resize_prep'}`, 'UnexpectedTaskStateError');
    }
    await recordInstanceAction(trx, {
      action: request.type === 'resize' ? INSTANCE_ACTION.RESIZE : INSTANCE_ACTION.MIGRATE, instanceUuid: row.uuid,
      requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId,
    });
    return createMigration(trx, {
      instance: row, type: request.type, oldFlavor: current, newFlavor: request.flavor, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId,
    });
  });
  if (deps.bus === undefined) return migration;
  try {
    await deps.bus.call({ topic: CONDUCTOR_TOPIC }, 'migrate_server',
      { uuid: row.uuid, request_id: caller.requestId, migration_uuid: migration.uuid, host: request.host }, { timeoutMs: MIGRATE_CALL_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof RemoteError && error.remoteName === 'NoValidHost') throw badRequest(error.remoteMessage, 'NoValidHost');
    if (error instanceof BusTimeoutError) return migration; // the conductor carries on; the server shows the outcome
    throw error;
  }
  return migration;
}

/** The finished migration confirm/revert act on (Nova: "Instance has not been resized." otherwise). */
async function finishedMigration(deps: Pick<ComputeDeps, 'db'>, row: InstanceRow, action: string): Promise<MigrationRow> {
  if (row.vm_state !== 'resized') throw instanceInvalidState(row.uuid, action, 'vm_state', row.vm_state);
  const migration = await latestMigration(deps.db, row.uuid, ['finished']);
  if (!migration) throw badRequest('Instance has not been resized.', 'MigrationNotFound');
  return migration;
}

/**
 * confirmResize (also the automatic confirm after resize_confirm_window, and a delete of a
 * resized server): the migration goes confirming and the source host drops its copy.
 */
export async function confirmResize(deps: Pick<ComputeDeps, 'db' | 'bus'>, caller: Pick<Caller, 'requestId' | 'userId' | 'projectId'>, row: InstanceRow, options: { record?: boolean } = {}): Promise<void> {
  const migration = await finishedMigration(deps, row, 'confirmResize');
  if (!(await advanceMigration(deps.db, migration.uuid, ['finished'], 'confirming'))) throw badRequest('Instance has not been resized.', 'MigrationNotFound');
  if (options.record !== false) {
    await inTransaction(deps.db, (trx) => recordInstanceAction(trx, {
      action: INSTANCE_ACTION.CONFIRM_RESIZE, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId,
    }));
  }
  await deps.bus?.cast({ topic: COMPUTE_RPC_TOPIC, host: migration.source_compute! }, 'confirm_resize',
    { uuid: row.uuid, request_id: caller.requestId, migration_uuid: migration.uuid });
}

/** revertResize: task resize_reverting, the migration reverting, the destination told to give it back. */
export async function revertResize(deps: ComputeDeps, caller: Caller, row: InstanceRow): Promise<void> {
  checkNotLocked(caller, row);
  const migration = await finishedMigration(deps, row, 'revertResize');
  if (row.task_state !== null) throw instanceInvalidState(row.uuid, 'revertResize', 'task_state', row.task_state);
  await inTransaction(deps.db, async (trx) => {
    const res = await trx.updateTable('nova_instance').set({ task_state: 'resize_reverting', updated_at: nowIso() })
      .where('uuid', '=', row.uuid).where('vm_state', '=', 'resized').where('task_state', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      throw new ApiError(409, `Conflict updating instance ${row.uuid}. Expected: {'task_state': [None]}. Actual: {'task_state': 'resize_reverting'}`, 'UnexpectedTaskStateError');
    }
    const moved = await trx.updateTable('nova_migration').set({ status: 'reverting', updated_at: nowIso() })
      .where('uuid', '=', migration.uuid).where('status', '=', 'finished').executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw badRequest('Instance has not been resized.', 'MigrationNotFound');
    await recordInstanceAction(trx, {
      action: INSTANCE_ACTION.REVERT_RESIZE, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId,
    });
  });
  await deps.bus?.cast({ topic: COMPUTE_RPC_TOPIC, host: migration.dest_compute! }, 'revert_resize',
    { uuid: row.uuid, request_id: caller.requestId, migration_uuid: migration.uuid });
}

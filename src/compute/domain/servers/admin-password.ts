// changePassword (compute/api.py set_admin_password; admin_password.py's error mapping): an
// active server with no task and no lock; the password is set inside the guest by the QEMU guest
// agent, so an image without hw_qemu_guest_agent is refused up front with Nova's 409 "QEMU guest
// agent is not enabled". Otherwise task_state updating_password and the changePassword action in
// one transaction, then a call to the host (Nova's is a call too) whose failures are 409s.
import { ApiError, badRequest, conflict } from '../../../core/errors.js';
import { BusTimeoutError, RemoteError } from '../../../bus/index.js';
import type { ComputeDeps } from '../../api/deps.js';
import type { InstanceRow } from '../../db/schema.js';
import { inTransaction, nowIso } from '../../db/transaction.js';
import { COMPUTE_RPC_TOPIC, MAX_ADMIN_PASSWORD } from '../../rpc/compute-protocol.js';
import type { Caller } from '../caller.js';
import { INSTANCE_ACTION, recordInstanceAction } from './instance-actions.js';
import { checkNotLocked, systemMetadataOf } from './lookup.js';
import { checkInstanceState, claimTaskState, type ActionTransition } from './task-claim.js';

const CHANGE_PASSWORD: ActionTransition = { action: 'changePassword', vmStates: ['active'], fromTask: [null], toTask: 'updating_password', needsHost: true };
/** The guest agent answers in seconds or not at all (the host gives up after 10 s). */
const PASSWORD_CALL_TIMEOUT_MS = 60_000;
/** The names the host's failures carry (nova.exception), shown with their own messages. */
const SHOWN_AS_IS = ['QemuGuestAgentNotEnabled', 'InstancePasswordSetFailed'];

/** oslo's bool_from_string over the image's hw_qemu_guest_agent, as the libvirt driver reads it. */
export function guestAgentEnabled(row: Pick<InstanceRow, 'system_metadata'>): boolean {
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes((systemMetadataOf(row).image_hw_qemu_guest_agent ?? '').trim().toLowerCase());
}

/**
 * An adminPass the host can carry: Nova's schema takes any string, but the agent refuses control
 * characters and more than MAX_ADMIN_PASSWORD — a cast it refused would leave the task claimed.
 */
export function checkAdminPass(password: string): void {
  if (password.length > MAX_ADMIN_PASSWORD || /\p{Cc}/u.test(password)) {
    throw badRequest(`Invalid input for field/attribute adminPass: at most ${MAX_ADMIN_PASSWORD} characters, no control characters.`);
  }
}

function setFailed(uuid: string): ApiError {
  return conflict(`Failed to set admin password on ${uuid} because error setting admin password`, 'InstancePasswordSetFailed');
}

export async function changeAdminPassword(deps: ComputeDeps, caller: Caller, row: InstanceRow, password: string): Promise<void> {
  checkAdminPass(password);
  checkNotLocked(caller, row);
  checkInstanceState(row, CHANGE_PASSWORD);
  if (!guestAgentEnabled(row)) throw conflict('QEMU guest agent is not enabled', 'QemuGuestAgentNotEnabled');
  await inTransaction(deps.db, async (trx) => {
    await claimTaskState(trx, row.uuid, CHANGE_PASSWORD);
    await recordInstanceAction(trx, {
      action: INSTANCE_ACTION.CHANGE_PASSWORD, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId,
    });
  });
  try {
    if (deps.bus === undefined) throw setFailed(row.uuid);
    await deps.bus.call({ topic: COMPUTE_RPC_TOPIC, host: row.host! }, 'set_admin_password',
      { uuid: row.uuid, request_id: caller.requestId, password }, { timeoutMs: PASSWORD_CALL_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof RemoteError && SHOWN_AS_IS.includes(error.remoteName)) throw conflict(error.remoteMessage, error.remoteName);
    if (error instanceof RemoteError || error instanceof BusTimeoutError || error instanceof ApiError) {
      // The host clears the task itself; a host that never got the call cannot, so it is cleared here.
      if (!(error instanceof RemoteError)) {
        await deps.db.updateTable('nova_instance').set({ task_state: null, updated_at: nowIso() })
          .where('uuid', '=', row.uuid).where('task_state', '=', 'updating_password').execute();
      }
      throw setFailed(row.uuid);
    }
    throw error;
  }
}

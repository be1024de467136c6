// rescue / unrescue (compute/api.py rescue and unrescue). Rescue boots the server from a fresh
// disk of a rescue image — the body's rescue_image_ref, else the server's own image — with its
// own disk attached second, so a broken guest can be repaired; allowed from active, stopped and
// error with no task (Nova's @check_instance_state), never on a locked server. Unrescue, only
// from rescued, boots the own disk again. Each claims its task state (rescuing / unrescuing) and
// records its instance action in one transaction, then casts to the server's host.
import { badRequest } from '../../../core/errors.js';
import type { ComputeDeps } from '../../api/deps.js';
import type { InstanceRow } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { COMPUTE_RPC_TOPIC } from '../../rpc/compute-protocol.js';
import type { Caller } from '../caller.js';
import { checkAdminPass } from './admin-password.js';
import { generatePassword } from './create.js';
import { resolveImage } from './create-image.js';
import { INSTANCE_ACTION, recordInstanceAction } from './instance-actions.js';
import { checkNotLocked } from './lookup.js';
import { checkInstanceState, claimTaskState, type ActionTransition } from './task-claim.js';

const RESCUE: ActionTransition = { action: 'rescue', vmStates: ['active', 'stopped', 'error'], fromTask: [null], toTask: 'rescuing', needsHost: true };
const UNRESCUE: ActionTransition = { action: 'unrescue', vmStates: ['rescued'], fromTask: [null], toTask: 'unrescuing', needsHost: true };

export interface RescueInput {
  readonly adminPass?: string;
  readonly rescueImageRef?: string;
}

async function claimAndRecord(deps: ComputeDeps, caller: Caller, row: InstanceRow, t: ActionTransition, action: string): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    await claimTaskState(trx, row.uuid, t);
    await recordInstanceAction(trx, { action, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId });
  });
}

/** The rescue image: the one asked for (visible to the caller, active), else the server's own. */
async function rescueImageId(deps: ComputeDeps, caller: Caller, token: string, row: InstanceRow, ref: string | undefined): Promise<string> {
  const wanted = ref ?? row.image_ref;
  // Nova's InstanceNotRescuable for a volume-backed server (no image to take a rescue disk from).
  if (!wanted) throw badRequest(`Instance ${row.uuid} cannot be rescued: Cannot rescue a volume-backed instance`, 'InstanceNotRescuable');
  try {
    return (await resolveImage(deps.clients.imageAs(token, caller.requestId), wanted)).id;
  } catch (error) {
    // rescue.py: ImageNotFound → "Rescue image <id> not found" (400); other answers as they are.
    if (error instanceof Error && 'kind' in error && error.kind === 'ImageNotFound') throw badRequest(`Rescue image ${wanted} not found`, 'ImageNotFound');
    throw error;
  }
}

/** Returns the rescue password (the body's adminPass or a generated one). */
export async function rescueServer(deps: ComputeDeps, caller: Caller, token: string, row: InstanceRow, input: RescueInput): Promise<string> {
  if (input.adminPass !== undefined) checkAdminPass(input.adminPass);
  checkNotLocked(caller, row);
  checkInstanceState(row, RESCUE);
  const imageId = await rescueImageId(deps, caller, token, row, input.rescueImageRef);
  const adminPass = input.adminPass ?? generatePassword();
  await claimAndRecord(deps, caller, row, RESCUE, INSTANCE_ACTION.RESCUE);
  await deps.bus?.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host! }, 'rescue_instance', {
    uuid: row.uuid, request_id: caller.requestId, rescue_image_id: imageId, admin_password: adminPass,
  });
  return adminPass;
}

export async function unrescueServer(deps: ComputeDeps, caller: Caller, row: InstanceRow): Promise<void> {
  checkNotLocked(caller, row);
  checkInstanceState(row, UNRESCUE);
  await claimAndRecord(deps, caller, row, UNRESCUE, INSTANCE_ACTION.UNRESCUE);
  await deps.bus?.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host! }, 'unrescue_instance', { uuid: row.uuid, request_id: caller.requestId });
}

// shelve, shelveOffload and unshelve (nova/compute/api.py shelve, shelve_offload, unshelve):
//   shelve         active/stopped/paused/suspended, no task → task shelving; an image
//                  "<name>-shelved" is made for the disk (as createImage does) and the host told
//                  to power off, upload and — with shelved_offload_time 0, Nova's default — offload
//                  at once (the host and its resources freed, vm_state shelved_offloaded)
//   shelveOffload  (admin) shelved → the host gives the server up
//   unshelve       shelved → started again where it is; shelved_offloaded → task unshelving and
//                  the conductor schedules it anew (2.77 availability_zone, 2.91 host) and the
//                  chosen host boots it from the shelved image, on the same ports
// system_metadata keeps shelved_at, shelved_image_id and shelved_host, as Nova does.
import { ApiError, badRequest } from '../../../core/errors.js';
import type { ImageClient } from '../../../core/clients/index.js';
import type { ComputeDeps } from '../../api/deps.js';
import { CONDUCTOR_TOPIC } from '../../conductor/protocol.js';
import type { InstanceRow } from '../../db/schema.js';
import { inTransaction, nowIso } from '../../db/transaction.js';
import { COMPUTE_RPC_TOPIC } from '../../rpc/compute-protocol.js';
import type { Caller } from '../caller.js';
import { INSTANCE_ACTION, recordInstanceAction } from './instance-actions.js';
import { checkNotLocked, instanceInvalidState, instanceNotReady, systemMetadataOf } from './lookup.js';
import { createSnapshotImage } from './snapshot.js';

const SHELVE_VM_STATES = ['active', 'stopped', 'paused', 'suspended'];
const UNSHELVE_VM_STATES = ['shelved', 'shelved_offloaded'];

async function claimTask(deps: ComputeDeps, caller: Caller, row: InstanceRow, vmStates: readonly string[], task: string, action: string,
  system?: Record<string, string>): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const res = await trx.updateTable('nova_instance').set({
      task_state: task, updated_at: nowIso(), ...(system !== undefined ? { system_metadata: JSON.stringify(system) } : {}),
    }).where('uuid', '=', row.uuid).where('deleted', '=', 0).where('vm_state', 'in', [...vmStates]).where('task_state', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      throw new ApiError(409, `Conflict updating instance ${row.uuid}. Expected: {'task_state': [None]}. Actual: {'task_state': '${task}'}`, 'UnexpectedTaskStateError');
    }
    await recordInstanceAction(trx, { action, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId });
  });
}

function checkState(row: InstanceRow, action: string, vmStates: readonly string[]): void {
  if (!vmStates.includes(row.vm_state)) throw instanceInvalidState(row.uuid, action, 'vm_state', row.vm_state);
  if (row.task_state !== null) throw instanceInvalidState(row.uuid, action, 'task_state', row.task_state);
}

export async function shelveServer(deps: ComputeDeps, caller: Caller, images: ImageClient, row: InstanceRow): Promise<void> {
  checkNotLocked(caller, row);
  if (!row.host) throw instanceNotReady(row.uuid);
  checkState(row, 'shelve', SHELVE_VM_STATES);
  const image = await createSnapshotImage(images, row, caller, `${row.display_name}-shelved`, {});
  const system = { ...systemMetadataOf(row), shelved_at: nowIso(), shelved_image_id: image.id, shelved_host: row.host };
  try {
    await claimTask(deps, caller, row, SHELVE_VM_STATES, 'shelving', INSTANCE_ACTION.SHELVE, system);
  } catch (error) {
    await images.deleteImage(image.id).catch(() => undefined);
    throw error;
  }
  await deps.bus?.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host }, 'shelve_instance', {
    uuid: row.uuid, request_id: caller.requestId, image_id: image.id, offload: deps.compute.shelvedOffloadTimeSeconds === 0,
  });
}

export async function shelveOffloadServer(deps: ComputeDeps, caller: Caller, row: InstanceRow): Promise<void> {
  checkNotLocked(caller, row);
  checkState(row, 'shelveOffload', ['shelved']);
  if (!row.host) throw instanceNotReady(row.uuid);
  await claimTask(deps, caller, row, ['shelved'], 'shelving_offloading', INSTANCE_ACTION.SHELVE_OFFLOAD);
  await deps.bus?.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host }, 'shelve_offload_instance', { uuid: row.uuid, request_id: caller.requestId });
}

export interface UnshelveRequest {
  /** 2.77: where to boot an offloaded server (null: any zone, 2.91). */
  readonly availabilityZone?: string | null;
  /** 2.91 (admin): the host to boot an offloaded server on. */
  readonly host?: string;
}

export async function unshelveServer(deps: ComputeDeps, caller: Caller, row: InstanceRow, request: UnshelveRequest): Promise<void> {
  checkNotLocked(caller, row);
  checkState(row, 'unshelve', UNSHELVE_VM_STATES);
  const imageId = systemMetadataOf(row).shelved_image_id ?? null;
  if (row.vm_state === 'shelved') {
    if (request.availabilityZone !== undefined || request.host !== undefined) {
      throw new ApiError(409, `The unshelve action on a server in vm_state shelved cannot name an availability zone or host; only shelved_offloaded servers can move.`, 'UnshelveInstanceInvalidState');
    }
    await claimTask(deps, caller, row, ['shelved'], 'unshelving', INSTANCE_ACTION.UNSHELVE);
    await deps.bus?.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host! }, 'unshelve_instance', {
      uuid: row.uuid, request_id: caller.requestId, shelved_image_id: imageId, local: true,
    });
    return;
  }
  if (request.host !== undefined) {
    const service = await deps.db.selectFrom('nova_service').select('id').where('host', '=', request.host).where('binary', '=', 'nova-compute').executeTakeFirst();
    if (!service) throw badRequest(`Compute host ${request.host} could not be found.`, 'ComputeHostNotFound');
  }
  await claimTask(deps, caller, row, ['shelved_offloaded'], 'unshelving', INSTANCE_ACTION.UNSHELVE);
  await deps.bus?.cast({ topic: CONDUCTOR_TOPIC }, 'unshelve_instance', {
    uuid: row.uuid, request_id: caller.requestId, host: request.host ?? null,
    ...(request.availabilityZone !== undefined ? { availability_zone: request.availabilityZone } : {}),
  });
}

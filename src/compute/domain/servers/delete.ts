// DELETE /servers/{id} (compute/api.py _delete / _local_delete): a locked server is a 409 (admins
// may delete it anyway); a server whose host runs a live nova-compute is handed to that agent
// (task_state deleting, `delete` action, cast terminate_instance); one never scheduled, or whose
// host's service is down or gone, is deleted here: its ports cleaned up as Neutron's
// deallocate_for_instance does (ports the agent created deleted, the user's own unbound), the row
// soft-deleted, its Placement allocations removed. Asking again while the agent deletes is a no-op.
import type { ComputeDeps } from '../../api/deps.js';
import { parseNetworkInfo } from '../../rpc/vif-info.js';
import type { InstanceRow } from '../../db/schema.js';
import { inTransaction, nowIso } from '../../db/transaction.js';
import { COMPUTE_RPC_TOPIC } from '../../rpc/compute-protocol.js';
import { serviceIsUp } from '../availability-zones.js';
import type { Caller } from '../caller.js';
import { getComputeService } from '../services.js';
import { destroyInstanceRow } from './destroy-row.js';
import { finishInstanceAction, INSTANCE_ACTION, recordInstanceAction } from './instance-actions.js';
import { checkNotLocked, instanceNotFound, systemMetadataOf } from './lookup.js';
import { confirmResize } from './resize.js';

export type DeleteOutcome = 'local' | 'terminating' | 'already-deleting';

/** Whether the agent on the server's host can take the delete (servicegroup is_up). */
async function hostIsUp(deps: ComputeDeps, host: string | null): Promise<boolean> {
  if (!host || deps.bus === undefined) return false;
  const service = await getComputeService(deps.db, host);
  return service !== undefined && serviceIsUp(service, deps.compute);
}

export async function deleteServer(deps: ComputeDeps, caller: Caller, row: InstanceRow): Promise<DeleteOutcome> {
  checkNotLocked(caller, row);
  const action = { action: INSTANCE_ACTION.DELETE, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId };

  if (await hostIsUp(deps, row.host)) {
    const started = await inTransaction(deps.db, async (trx) => {
      const now = nowIso();
      // Conditional, so that of two racing deletes one casts and the other is the no-op.
      const result = await trx.updateTable('nova_instance').set({ task_state: 'deleting', progress: 0, updated_at: now })
        .where('uuid', '=', row.uuid).where('deleted', '=', 0)
        .where((eb) => eb.or([eb('task_state', 'is', null), eb('task_state', '!=', 'deleting')]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        const live = await trx.selectFrom('nova_instance').select('uuid').where('uuid', '=', row.uuid).where('deleted', '=', 0).executeTakeFirst();
        if (live === undefined) throw instanceNotFound(row.uuid);
        return false;
      }
      await recordInstanceAction(trx, action);
      return true;
    });
    if (!started) return 'already-deleting';
    // Nova's _confirm_resize_on_deleting: the source host still holds the old copy.
    if (row.vm_state === 'resized') await confirmResize(deps, caller, row, { record: false }).catch(() => undefined);
    await deps.bus!.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host! }, 'terminate_instance', { uuid: row.uuid, request_id: caller.requestId });
    return 'terminating';
  }

  const actionId = await inTransaction(deps.db, async (trx) => {
    const result = await trx.updateTable('nova_instance').set({ task_state: 'deleting', progress: 0, updated_at: nowIso() })
      .where('uuid', '=', row.uuid).where('deleted', '=', 0).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw instanceNotFound(row.uuid);
    return recordInstanceAction(trx, action);
  });
  await releasePorts(deps, row);
  // An offloaded server's only copy is its shelved image: it goes with the server (Nova's _local_delete).
  const shelvedImage = systemMetadataOf(row).shelved_image_id;
  if (row.vm_state === 'shelved_offloaded' && shelvedImage !== undefined) await deps.clients.image.deleteImage(shelvedImage).catch(() => undefined);
  await inTransaction(deps.db, async (trx) => {
    const now = nowIso();
    await destroyInstanceRow(trx, row.uuid, now);
    await finishInstanceAction(trx, actionId);
  });
  // _local_delete_cleanup: a failure leaves the allocation for the operator, as Nova logs and goes on.
  await deps.clients.placement.deleteAllocations(row.uuid).catch(() => false);
  return 'local';
}

/**
 * Neutron's deallocate_for_instance: the ports bound to the server (device_id) that the user
 * brought (preserve_on_delete in the info cache) are unbound, the rest deleted. A server that was
 * never scheduled has none, and the network service is not asked.
 */
async function releasePorts(deps: ComputeDeps, row: InstanceRow): Promise<void> {
  const cache = await deps.db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', row.uuid).executeTakeFirst();
  const vifs = parseNetworkInfo(cache?.network_info);
  if (!row.host && vifs.length === 0) return;
  const preserved = new Set(vifs.filter((v) => v.preserve_on_delete).map((v) => v.id));
  const network = deps.clients.network;
  let ports: { id: string }[];
  try {
    ports = await network.listPortsByDevice(row.uuid);
  } catch {
    // The network service is unreachable: still delete the server, as Nova's local delete does.
    return;
  }
  for (const id of preserved) await network.unbindPort(id).catch(() => undefined);
  for (const port of ports) if (!preserved.has(port.id)) await network.deletePort(port.id).catch(() => false);
}

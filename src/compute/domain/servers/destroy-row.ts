// Nova's instance_destroy on our rows: the server soft-deleted, and what must not outlive it gone —
// its tags (hard-deleted, as Nova does) and its server-group membership (a deleted member would
// still count against the group's quota and show in the group's `members`).
import type { ComputeTx } from '../../db/transaction.js';

export async function destroyInstanceRow(trx: ComputeTx, uuid: string, now: string): Promise<void> {
  await trx.updateTable('nova_instance').set({
    deleted: 1, deleted_at: now, terminated_at: now, vm_state: 'deleted', task_state: null, power_state: 0, updated_at: now,
  }).where('uuid', '=', uuid).where('deleted', '=', 0).execute();
  await trx.deleteFrom('nova_instance_tag').where('instance_uuid', '=', uuid).execute();
  await trx.deleteFrom('nova_server_group_member').where('instance_uuid', '=', uuid).execute();
}

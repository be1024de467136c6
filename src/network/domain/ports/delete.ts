// DELETE /v2.0/ports/<id>. Ports that belong to a router or floating IP must be removed through
// those APIs (Neutron's prevent_l3_port_deletion): 409 ServicePortInUse while the owning router
// or floating IP still exists.
import type { NetworkDeps } from '../../api/deps.js';
import type { PortRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { notify } from '../notify.js';
import { checkRevision } from '../standard-attrs.js';
import { loadPortFor } from './access.js';
import { deletePortRecord } from './delete-record.js';
import { servicePortInUse } from './errors.js';

const ROUTER_OWNERS = new Set([
  'network:router_interface', 'network:router_gateway', 'network:router_interface_distributed',
  'network:router_centralized_snat', 'network:router_ha_interface', 'network:ha_router_replicated_interface',
]);

async function assertNotServicePort(trx: NetworkTx, row: PortRow): Promise<void> {
  let owned = false;
  if (row.device_owner === 'network:floatingip') {
    owned = (await trx.selectFrom('net_floating_ip').select('id').where('id', '=', row.device_id).executeTakeFirst()) !== undefined;
  } else if (ROUTER_OWNERS.has(row.device_owner)) {
    owned = (await trx.selectFrom('net_router').select('id').where('id', '=', row.device_id).executeTakeFirst()) !== undefined;
  }
  if (owned) throw servicePortInUse(row.id, row.device_owner);
}

export async function deletePort(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  const row = await inTransaction(deps.db, async (trx) => {
    const { row: current } = await loadPortFor(trx, deps, caller, id, 'delete_port');
    checkRevision(ifMatch, current.revision_number);
    await assertNotServicePort(trx, current);
    await deletePortRecord(trx, id);
    return current;
  });
  notify(deps, 'port.delete.end', { port_id: id, network_id: row.network_id });
  deps.novaNotifier?.portDeleted(row);
}

/** Bulk-create rollback: removes a port this request created, without policy checks. */
export async function undoPortCreate(deps: NetworkDeps, portId: string): Promise<void> {
  await inTransaction(deps.db, async (trx) => { await deletePortRecord(trx, portId); });
}

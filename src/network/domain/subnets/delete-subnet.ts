// DELETE /v2.0/subnets/{id}: Neutron's delete_subnet. Router interfaces always keep a subnet in
// use; other ports too, unless their addresses are SLAAC ones or the ports are ones Neutron
// removes by itself (DHCP, …). Their allocations on the subnet are then dropped with it.
import { ApiError } from '../../../core/errors.js';
import type { NetworkDeps } from '../../api/deps.js';
import { inTransaction } from '../../db/transaction.js';
import { bumpNetworkRevision } from '../networks/revision.js';
import type { Caller } from '../caller.js';
import { isAutoAddressSubnet } from '../ipam/ipam-subnets.js';
import { AUTO_DELETE_PORT_OWNERS, ROUTER_INTERFACE_OWNERS } from '../ipam/owners.js';
import { notify } from '../notify.js';
import { enforce } from '../policy.js';
import { checkRevision } from '../standard-attrs.js';
import { loadVisibleSubnet, subnetTarget } from './subnet-access.js';
import { deleteSubnetChildren } from './subnet-children-write.js';

export const subnetInUse = (id: string): ApiError =>
  new ApiError(409, `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`, 'SubnetInUse');

export async function deleteSubnet(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  const { row, network, shared } = await loadVisibleSubnet(deps, caller, id);
  enforce(deps, caller, 'delete_subnet', subnetTarget(row, network.project_id, shared));
  await inTransaction(deps.db, async (trx) => {
    const cur = await trx.selectFrom('net_subnet').selectAll().where('id', '=', id).executeTakeFirst();
    if (cur === undefined) throw new ApiError(404, `Subnet ${id} could not be found.`, 'SubnetNotFound');
    checkRevision(ifMatch, cur.revision_number);
    const holders = await trx.selectFrom('net_ip_allocation').innerJoin('net_port', 'net_port.id', 'net_ip_allocation.port_id')
      .select('net_port.device_owner').where('net_ip_allocation.subnet_id', '=', id).execute();
    if (holders.some((h) => ROUTER_INTERFACE_OWNERS.includes(h.device_owner))) throw subnetInUse(id);
    if (!isAutoAddressSubnet(cur) && holders.some((h) => !AUTO_DELETE_PORT_OWNERS.includes(h.device_owner))) throw subnetInUse(id);
    await trx.deleteFrom('net_ip_allocation').where('subnet_id', '=', id).execute();
    await deleteSubnetChildren(trx, id);
    await trx.deleteFrom('net_subnet').where('id', '=', id).execute();
    await bumpNetworkRevision(trx, cur.network_id);
  });
  notify(deps, 'subnet.delete.end', { subnet_id: id, subnet: { id, network_id: row.network_id, project_id: row.project_id } });
}

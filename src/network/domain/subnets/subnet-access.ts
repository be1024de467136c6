// Who may see a subnet (Neutron: admin, its owner, or anyone its network is shared with) and
// the policy target subnet rules evaluate: the subnet's attributes plus its network's owner.
import type { NetworkDeps } from '../../api/deps.js';
import type { NetworkRow, SubnetRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import { subnetNotFound } from '../errors.js';
import { allowed } from '../policy.js';
import { findNetwork, isNetworkShared, isPlausibleId } from '../networks/access.js';

export function subnetTarget(subnet: Partial<SubnetRow> & { project_id: string }, networkOwner: string, shared: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...subnet,
    ...extra,
    project_id: subnet.project_id,
    tenant_id: subnet.project_id,
    'network:project_id': networkOwner,
    'network:tenant_id': networkOwner,
    shared,
  };
}

export interface VisibleSubnet {
  readonly row: SubnetRow;
  readonly network: NetworkRow;
  readonly shared: boolean;
}

/** The subnet if the caller may see it (get_subnet), else 404 SubnetNotFound. */
export async function loadVisibleSubnet(deps: NetworkDeps, caller: Caller, id: string): Promise<VisibleSubnet> {
  if (!isPlausibleId(id)) throw subnetNotFound(String(id));
  const row = await deps.db.selectFrom('net_subnet').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw subnetNotFound(id);
  const network = await findNetwork(deps.db, row.network_id);
  if (network === undefined) throw subnetNotFound(id);
  const shared = caller.isAdmin || row.project_id === caller.projectId ? false : await isNetworkShared(deps.db, network.id, caller.projectId);
  if (!allowed(deps, caller, 'get_subnet', subnetTarget(row, network.project_id, shared))) throw subnetNotFound(id);
  return { row, network, shared };
}

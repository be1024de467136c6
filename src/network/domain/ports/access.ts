// Who may see and change a port. Policy targets carry the port's owner, its network's owner
// (`network:project_id`), whether the network is shared with the caller, and the computed
// `device_owner_is_network` that stands in for Neutron's `field:port:device_owner=~^network:`.
import type { PolicyTarget } from '../../../core/policy/index.js';
import type { NetworkDeps } from '../../api/deps.js';
import type { PortRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { portNotFound } from '../errors.js';
import { allowed, enforce } from '../policy.js';
import { isPlausibleId } from '../networks/access.js';
import { POLICED_READ_ATTRS } from './render.js';
import type { Kysely } from 'kysely';
import type { NetworkDb } from '../../db/schema.js';

export interface PortWithNetworkOwner { readonly row: PortRow; readonly networkProjectId: string }

type PortTargetFields = Pick<PortRow, 'id' | 'project_id' | 'network_id' | 'device_owner' | 'device_id'>;

export function portTarget(port: PortTargetFields, networkProjectId: string, shared = false): PolicyTarget {
  return {
    id: port.id,
    project_id: port.project_id,
    tenant_id: port.project_id,
    network_id: port.network_id,
    device_id: port.device_id,
    device_owner: port.device_owner,
    device_owner_is_network: port.device_owner.startsWith('network:'),
    'network:project_id': networkProjectId,
    'network:tenant_id': networkProjectId,
    shared,
  };
}

/** The port row and its network's owner in one query; undefined when there is no such port. */
export async function findPort(db: Kysely<NetworkDb> | NetworkTx, id: string): Promise<PortWithNetworkOwner | undefined> {
  if (!isPlausibleId(id)) return undefined;
  const found = await db.selectFrom('net_port').innerJoin('net_network', 'net_network.id', 'net_port.network_id')
    .selectAll('net_port').select('net_network.project_id as network_project_id')
    .where('net_port.id', '=', id).executeTakeFirst();
  if (found === undefined) return undefined;
  const { network_project_id: networkProjectId, ...row } = found;
  return { row: row as PortRow, networkProjectId };
}

/**
 * The port for an action: 404 PortNotFound when it does not exist or the caller may not see
 * it (get_port), 403 when they may see it but `action` (update_port / delete_port) is denied.
 */
export async function loadPortFor(db: Kysely<NetworkDb> | NetworkTx, deps: NetworkDeps, caller: Caller, id: string, action?: string): Promise<PortWithNetworkOwner> {
  const found = await findPort(db, id);
  if (found === undefined) throw portNotFound(id);
  const target = portTarget(found.row, found.networkProjectId);
  if (!allowed(deps, caller, 'get_port', target)) throw portNotFound(id);
  if (action !== undefined) enforce(deps, caller, action, target);
  return found;
}

/** The read-policed attributes this caller may not see (rules are per attribute, not per port). */
export function hiddenAttrs(deps: NetworkDeps, caller: Caller): Set<string> {
  const target = { project_id: caller.projectId, tenant_id: caller.projectId };
  return new Set(POLICED_READ_ATTRS.filter((attr) => !allowed(deps, caller, `get_port:${attr}`, target)));
}

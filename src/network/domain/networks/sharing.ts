// Network sharing through RBAC rows: the `shared` and `router:external` flags are wildcard
// grants, and removing a grant is refused while a project that would lose access still uses
// the network (neutron's ensure_no_tenant_ports_on_network and external-net's gateway check).
import type { Kysely } from 'kysely';
import { ApiError } from '../../../core/errors.js';
import type { NetworkDb } from '../../db/schema.js';
import { EXTERNAL, SHARED } from './access.js';

type Db = Kysely<NetworkDb>;

export function invalidSharedSetting(networkId: string): ApiError {
  return new ApiError(409, `Unable to reconfigure sharing settings for network ${networkId}. Multiple tenants are using it.`, 'InvalidSharedSetting');
}

export function externalNetworkInUse(networkId: string): ApiError {
  return new ApiError(409, `External network ${networkId} cannot be updated to be made non-external, since it has existing gateway ports.`, 'ExternalNetworkInUse');
}

export async function insertGrant(trx: Db, ownerProject: string, networkId: string, action: string, target = '*'): Promise<string> {
  const id = crypto.randomUUID();
  await trx.insertInto('net_rbac_policy').values({
    id, project_id: ownerProject, object_type: 'network', object_id: networkId, target_project: target, action,
  }).execute();
  return id;
}

export async function deleteGrant(trx: Db, networkId: string, action: string, target = '*'): Promise<void> {
  await trx.deleteFrom('net_rbac_policy').where('object_type', '=', 'network').where('object_id', '=', networkId)
    .where('action', '=', action).where('target_project', '=', target).execute();
}

export async function hasGrant(trx: Db, networkId: string, action: string, target = '*'): Promise<boolean> {
  const row = await trx.selectFrom('net_rbac_policy').select('id').where('object_type', '=', 'network')
    .where('object_id', '=', networkId).where('action', '=', action).where('target_project', '=', target).executeTakeFirst();
  return row !== undefined;
}

/**
 * Projects that would lose access if the `action` grant to `target` went: for '*', every
 * project but the owner and those with their own grant; for one project, that project unless
 * a wildcard grant remains. Returns the projects still granted (to exclude) or the one losing.
 */
async function losingProjects(trx: Db, networkId: string, owner: string, action: string, target: string): Promise<{ only?: string; except?: string[] } | undefined> {
  const grants = await trx.selectFrom('net_rbac_policy').select('target_project').where('object_type', '=', 'network')
    .where('object_id', '=', networkId).where('action', '=', action).execute();
  const targets = grants.map((g) => g.target_project).filter((t) => t !== target);
  if (target === '*') return { except: [...targets, owner] };
  if (targets.includes('*') || target === owner) return undefined;
  return { only: target };
}

/** 409 InvalidSharedSetting when removing the shared grant strands other projects' ports. */
export async function assertSharedRemovable(trx: Db, networkId: string, owner: string, target: string): Promise<void> {
  const losing = await losingProjects(trx, networkId, owner, SHARED, target);
  if (losing === undefined) return;
  let ports = trx.selectFrom('net_port').select('id').where('network_id', '=', networkId);
  if (losing.only !== undefined) ports = ports.where('project_id', '=', losing.only);
  else ports = ports.where('project_id', 'not in', losing.except ?? []);
  let subnets = trx.selectFrom('net_subnet').select('id').where('network_id', '=', networkId);
  if (losing.only !== undefined) subnets = subnets.where('project_id', '=', losing.only);
  else subnets = subnets.where('project_id', 'not in', losing.except ?? []);
  if ((await ports.limit(1).executeTakeFirst()) !== undefined || (await subnets.limit(1).executeTakeFirst()) !== undefined) {
    throw invalidSharedSetting(networkId);
  }
}

export function rbacPolicyInUse(objectId: string, details: string): ApiError {
  return new ApiError(409, `RBAC policy on object ${objectId} cannot be removed because other objects depend on it.\nDetails: ${details}`, 'RbacPolicyInUse');
}

/**
 * Removing (or retargeting to `newTarget`) an access_as_external grant to `target`: refused
 * while a project losing it has a router gateway on the network, and the wildcard of the
 * default external network never goes (neutron's _validate_ext_not_in_use_by_tenant).
 */
export async function assertExternalRemovable(trx: Db, networkId: string, target: string, newTarget?: string): Promise<void> {
  const grants = await trx.selectFrom('net_rbac_policy').select('target_project').where('object_type', '=', 'network')
    .where('object_id', '=', networkId).where('action', '=', EXTERNAL).execute();
  const others = grants.map((g) => g.target_project).filter((t) => t !== '*');
  let routers = trx.selectFrom('net_router').innerJoin('net_port', 'net_port.id', 'net_router.gw_port_id')
    .select('net_router.id').where('net_port.network_id', '=', networkId).where('net_port.device_owner', '=', 'network:router_gateway');
  if (target !== '*') {
    // A wildcard grant keeps every project's access.
    if (grants.some((g) => g.target_project === '*')) return;
    routers = routers.where('net_router.project_id', '=', target);
  } else {
    const network = await trx.selectFrom('net_network').select('is_default').where('id', '=', networkId).executeTakeFirst();
    if (network?.is_default === 1) throw rbacPolicyInUse(networkId, 'Default external networks must be shared to everyone.');
    const keep = newTarget !== undefined ? [...others, newTarget] : others;
    if (keep.length > 0) routers = routers.where('net_router.project_id', 'not in', keep);
  }
  if ((await routers.limit(1).executeTakeFirst()) !== undefined) {
    throw rbacPolicyInUse(networkId, 'There are routers attached to this network that depend on this policy for access.');
  }
}

/** router:external true → false: refused while gateway ports exist on it. */
export async function assertNotExternalInUse(trx: Db, networkId: string): Promise<void> {
  const gateway = await trx.selectFrom('net_port').select('id').where('network_id', '=', networkId)
    .where('device_owner', 'in', ['network:router_gateway', 'network:floatingip']).limit(1).executeTakeFirst();
  if (gateway !== undefined) throw externalNetworkInUse(networkId);
}

/**
 * Neutron's auto-allocate hook: at most one default external network, and the flag only
 * sticks to an external network (it lives on the network's external-net record).
 */
export async function assertCanBeDefault(trx: Db, networkId: string): Promise<void> {
  const other = await trx.selectFrom('net_network').select('id').where('is_default', '=', 1).where('id', '!=', networkId).limit(1).executeTakeFirst();
  if (other !== undefined) throw new ApiError(409, `A default external network already exists: ${other.id}.`, 'DefaultExternalNetworkExists');
}

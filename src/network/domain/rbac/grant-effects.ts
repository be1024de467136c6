// What an RBAC grant's change does beyond its own row: the checks that keep projects from
// losing access their resources depend on (RbacPolicyInUse), the external-net conversion when
// the last external grant goes, and the revision bump of the network it revises.
import type { RbacPolicyRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import { ApiError } from '../../../core/errors.js';
import { EXTERNAL, SHARED } from '../networks/access.js';
import { assertExternalRemovable, assertSharedRemovable, rbacPolicyInUse } from '../networks/sharing.js';
import { bumpNetworkRevision } from '../networks/revision.js';

/** Projects whose resources use the object (neutron's get_bound_project_ids per object type). */
async function boundProjects(trx: NetworkTx, objectType: string, objectId: string): Promise<Set<string>> {
  let rows: { project_id: string }[] = [];
  if (objectType === 'security_group') {
    rows = await trx.selectFrom('net_port_security_group').innerJoin('net_port', 'net_port.id', 'net_port_security_group.port_id')
      .select('net_port.project_id as project_id').where('net_port_security_group.security_group_id', '=', objectId).execute();
  } else if (objectType === 'subnetpool') {
    rows = await trx.selectFrom('net_subnet').select('project_id').where('subnetpool_id', '=', objectId).execute();
  } else if (objectType === 'address_scope') {
    rows = await trx.selectFrom('net_subnetpool').select('project_id').where('address_scope_id', '=', objectId).execute();
  } else if (objectType === 'address_group') {
    rows = await trx.selectFrom('net_security_group_rule').select('project_id').where('remote_address_group_id', '=', objectId).execute();
  }
  return new Set(rows.map((r) => r.project_id));
}

/**
 * Removing the grant `row` (or retargeting it to `newTarget`) must not strand a project that
 * loses access while its resources still depend on it (RbacPolicyInUse).
 */
export async function assertRemovable(trx: NetworkTx, row: RbacPolicyRow, owner: string, newTarget?: string): Promise<void> {
  if (row.object_type === 'network' && row.action === EXTERNAL) {
    await assertExternalRemovable(trx, row.object_id, row.target_project, newTarget);
    return;
  }
  if (row.target_project === owner) return;
  if (row.object_type === 'network') {
    try {
      await assertSharedRemovable(trx, row.object_id, owner, row.target_project);
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'InvalidSharedSetting') throw rbacPolicyInUse(row.object_id, err.message);
      throw err;
    }
    return;
  }
  // neutron's RbacNeutronDbObjectMixin.validate_rbac_policy_delete for the other object types.
  const bound = await boundProjects(trx, row.object_type, row.object_id);
  bound.delete(owner);
  if (bound.size === 0) return;
  const grants = (await trx.selectFrom('net_rbac_policy').select('target_project').where('object_type', '=', row.object_type)
    .where('object_id', '=', row.object_id).where('action', '=', SHARED).execute()).map((g) => g.target_project);
  const inUse = (): ApiError => rbacPolicyInUse(row.object_id, `tenant_id=${row.target_project}`);
  if (row.target_project !== '*') {
    if (grants.includes('*')) return;
    if (bound.has(row.target_project)) throw inUse();
    return;
  }
  const others = grants.filter((t) => t !== '*');
  if ([...bound].some((p) => !others.includes(p))) throw inUse();
}

/** Neutron's NetworkRBAC revises its network: a grant's change bumps the network's revision. */
export async function bumpObjectRevision(trx: NetworkTx, objectType: string, objectId: string): Promise<void> {
  if (objectType === 'network') await bumpNetworkRevision(trx, objectId);
}

/**
 * external-net: the last access_as_external grant going makes the network internal again
 * (neutron's _process_ext_policy_delete).
 */
export async function dropExternalIfLast(trx: NetworkTx, row: RbacPolicyRow): Promise<void> {
  if (row.object_type !== 'network' || row.action !== EXTERNAL) return;
  const left = await trx.selectFrom('net_rbac_policy').select('id').where('object_type', '=', 'network').where('object_id', '=', row.object_id)
    .where('action', '=', EXTERNAL).limit(1).executeTakeFirst();
  if (left === undefined) await trx.updateTable('net_network').set({ is_external: 0, is_default: 0 }).where('id', '=', row.object_id).execute();
}

// RBAC policies (/v2.0/rbac-policies): grants letting other projects share a network (or a
// security group, address scope, subnet pool, address group), or use a network as external.
// Only the object's owner or an admin grants; a grant is not removed while the project losing
// access still depends on it (RbacPolicyInUse).
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate, parseUpdate, type AttrMap } from '../../api/attributes.js';
import { oneOf, string, uuid } from '../../api/validators.js';
import type { NetworkDb, RbacPolicyRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import { ApiError } from '../../../core/errors.js';
import type { Caller } from '../caller.js';
import { badAttribute, invalidInput, networkNotFound, resourceNotFound } from '../errors.js';
import { notify } from '../notify.js';
import { allowed, enforce, enforceAttributes } from '../policy.js';
import { assertQuota } from '../quota.js';
import { EXTERNAL, SHARED, isPlausibleId } from '../networks/access.js';
import { assertRemovable, bumpObjectRevision, dropExternalIfLast } from './grant-effects.js';

/** object_type → its table, its not-found error, and the actions it takes. */
const OBJECT_TYPES: Readonly<Record<string, { table: keyof NetworkDb; label: string; kind: string; actions: readonly string[] }>> = {
  network: { table: 'net_network', label: 'Network', kind: 'NetworkNotFound', actions: [SHARED, EXTERNAL] },
  security_group: { table: 'net_security_group', label: 'Security group', kind: 'SecurityGroupNotFound', actions: [SHARED] },
  address_scope: { table: 'net_address_scope', label: 'Address scope', kind: 'AddressScopeNotFound', actions: [SHARED] },
  subnetpool: { table: 'net_subnetpool', label: 'Subnet pool', kind: 'SubnetPoolNotFound', actions: [SHARED] },
  address_group: { table: 'net_address_group', label: 'Address group', kind: 'AddressGroupNotFound', actions: [SHARED] },
};

export const RBAC_ATTRS: AttrMap = {
  id: {},
  object_type: { post: true, required: true, validate: oneOf(Object.keys(OBJECT_TYPES)) },
  object_id: { post: true, required: true, validate: uuid },
  action: { post: true, required: true, validate: oneOf([EXTERNAL, SHARED]) },
  target_tenant: { post: true, put: true, validate: string(255) },
  target_project: { post: true, put: true, validate: string(255) },
};

export function rbacPolicyNotFound(id: string, objectType = 'rbac_policy'): ApiError {
  return new ApiError(404, `RBAC policy of type ${objectType} with ID ${id} not found`, 'RbacPolicyNotFound');
}

export function renderRbac(row: RbacPolicyRow): Record<string, unknown> {
  return {
    id: row.id, object_type: row.object_type, object_id: row.object_id, action: row.action,
    // Neutron's API calls the target only target_tenant (target_project is accepted on input).
    target_tenant: row.target_project, project_id: row.project_id, tenant_id: row.project_id,
  };
}

/** target_tenant and target_project are one attribute; Neutron refuses them disagreeing. */
function targetOf(attrs: Record<string, unknown>, required: boolean): string | undefined {
  const tenant = attrs.target_tenant as string | undefined;
  const project = attrs.target_project as string | undefined;
  if (tenant !== undefined && project !== undefined && tenant !== project) throw badAttribute("'target_tenant' and 'target_project' do not match");
  const target = project ?? tenant;
  if (target === undefined && required) throw badAttribute("Failed to parse request. Required attribute 'target_tenant' not specified");
  return target;
}

async function objectOwner(trx: NetworkTx, objectType: string, objectId: string): Promise<string> {
  const spec = OBJECT_TYPES[objectType]!;
  const row = await trx.selectFrom(spec.table).select('project_id' as never).where('id' as never, '=', objectId as never).executeTakeFirst() as { project_id: string } | undefined;
  if (row === undefined) throw objectType === 'network' ? networkNotFound(objectId) : resourceNotFound(spec.kind, spec.label, objectId);
  return row.project_id;
}

async function findVisible(deps: NetworkDeps, caller: Caller, id: string): Promise<RbacPolicyRow> {
  const row = isPlausibleId(id) ? await deps.db.selectFrom('net_rbac_policy').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (row === undefined || !allowed(deps, caller, 'get_rbac_policy', { ...renderRbac(row) })) throw rbacPolicyNotFound(id);
  return row;
}

export async function createRbacPolicy(deps: NetworkDeps, caller: Caller, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { attrs, given } = parseCreate(body, RBAC_ATTRS, caller);
  const target = targetOf(attrs, true)!;
  const objectType = attrs.object_type as string;
  const action = attrs.action as string;
  const policyTarget = { ...attrs, target_tenant: target, target_project: target, tenant_id: attrs.project_id };
  enforce(deps, caller, 'create_rbac_policy', policyTarget);
  enforceAttributes(deps, caller, 'create_rbac_policy', given, policyTarget);
  const spec = OBJECT_TYPES[objectType]!;
  if (!spec.actions.includes(action)) {
    throw new ApiError(400, `Invalid action '${action}' for object type '${objectType}'. Valid actions: ${JSON.stringify(spec.actions).replace(/"/g, "'")}`, 'InvalidActionForType');
  }
  const row = await inTransaction(deps.db, async (trx) => {
    const owner = await objectOwner(trx, objectType, attrs.object_id as string);
    if (!caller.isAdmin && owner !== caller.projectId) {
      // A non-owner learns the object exists only when it can see it already (granted to it).
      const grant = await trx.selectFrom('net_rbac_policy').select('id').where('object_type', '=', objectType)
        .where('object_id', '=', attrs.object_id as string).where('target_project', 'in', ['*', caller.projectId]).executeTakeFirst();
      if (grant === undefined) throw objectType === 'network' ? networkNotFound(attrs.object_id as string) : resourceNotFound(spec.kind, spec.label, attrs.object_id as string);
      throw invalidInput(`Only admins can manipulate policies on ${objectType === 'network' ? 'networks' : 'objects'} they do not own`);
    }
    await assertQuota(trx, deps.config, attrs.project_id as string, 'rbac_policy');
    const duplicate = await trx.selectFrom('net_rbac_policy').select('id').where('object_type', '=', objectType)
      .where('object_id', '=', attrs.object_id as string).where('action', '=', action).where('target_project', '=', target).executeTakeFirst();
    if (duplicate !== undefined) throw new ApiError(409, 'An RBAC policy already exists with those values.', 'DuplicateRbacPolicy');
    const created: RbacPolicyRow = {
      id: crypto.randomUUID(), project_id: attrs.project_id as string, object_type: objectType, object_id: attrs.object_id as string, target_project: target, action,
    };
    await trx.insertInto('net_rbac_policy').values(created).execute();
    // external-net: a grant of external access makes the network external.
    if (objectType === 'network' && action === EXTERNAL) {
      await trx.updateTable('net_network').set({ is_external: 1 }).where('id', '=', created.object_id).execute();
    }
    await bumpObjectRevision(trx, objectType, created.object_id);
    return created;
  });
  const item = renderRbac(row);
  notify(deps, 'rbac_policy.create.end', { rbac_policy: item });
  return item;
}

export async function listRbacPolicies(deps: NetworkDeps, caller: Caller): Promise<Record<string, unknown>[]> {
  let query = deps.db.selectFrom('net_rbac_policy').selectAll();
  if (!caller.isAdmin) query = query.where('project_id', '=', caller.projectId);
  const rows = await query.execute();
  return rows.map(renderRbac).filter((item) => caller.isAdmin || allowed(deps, caller, 'get_rbac_policy', item));
}

export async function showRbacPolicy(deps: NetworkDeps, caller: Caller, id: string): Promise<Record<string, unknown>> {
  return renderRbac(await findVisible(deps, caller, id));
}

export async function updateRbacPolicy(deps: NetworkDeps, caller: Caller, id: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const attrs = parseUpdate(body, RBAC_ATTRS);
  const newTarget = targetOf(attrs, false);
  const row = await findVisible(deps, caller, id);
  const policyTarget = { ...renderRbac(row), ...(newTarget !== undefined ? { target_tenant: newTarget, target_project: newTarget } : {}) };
  enforce(deps, caller, 'update_rbac_policy', policyTarget);
  enforceAttributes(deps, caller, 'update_rbac_policy', Object.keys(attrs), policyTarget);
  if (newTarget === undefined || newTarget === row.target_project) return renderRbac(row);
  const updated = await inTransaction(deps.db, async (trx) => {
    const current = await trx.selectFrom('net_rbac_policy').selectAll().where('id', '=', id).executeTakeFirst();
    if (current === undefined) throw rbacPolicyNotFound(id);
    const duplicate = await trx.selectFrom('net_rbac_policy').select('id').where('object_type', '=', current.object_type)
      .where('object_id', '=', current.object_id).where('action', '=', current.action).where('target_project', '=', newTarget).executeTakeFirst();
    if (duplicate !== undefined) throw new ApiError(409, 'An RBAC policy already exists with those values.', 'DuplicateRbacPolicy');
    await assertRemovable(trx, current, await objectOwner(trx, current.object_type, current.object_id), newTarget);
    await trx.updateTable('net_rbac_policy').set({ target_project: newTarget }).where('id', '=', id).execute();
    await bumpObjectRevision(trx, current.object_type, current.object_id);
    return { ...current, target_project: newTarget };
  });
  const item = renderRbac(updated);
  notify(deps, 'rbac_policy.update.end', { rbac_policy: item });
  return item;
}

export async function deleteRbacPolicy(deps: NetworkDeps, caller: Caller, id: string): Promise<void> {
  const row = await findVisible(deps, caller, id);
  enforce(deps, caller, 'delete_rbac_policy', renderRbac(row));
  await inTransaction(deps.db, async (trx) => {
    const current = await trx.selectFrom('net_rbac_policy').selectAll().where('id', '=', id).executeTakeFirst();
    if (current === undefined) throw rbacPolicyNotFound(id);
    await assertRemovable(trx, current, await objectOwner(trx, current.object_type, current.object_id));
    await trx.deleteFrom('net_rbac_policy').where('id', '=', id).execute();
    await dropExternalIfLast(trx, current);
    await bumpObjectRevision(trx, current.object_type, current.object_id);
  });
  notify(deps, 'rbac_policy.delete.end', { rbac_policy: renderRbac(row) });
}


// Security group operations: create (with the two egress rules Neutron adds), list (which
// creates the project's default group on first use), show, update and delete.
import { randomUUID } from 'node:crypto';
import type { NetworkDeps } from '../../api/deps.js';
import type { Query } from '../../api/list.js';
import { queryValues } from '../../api/list.js';
import type { SecurityGroupRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { inUse } from '../errors.js';
import { notify } from '../notify.js';
import { enforce, enforceAttributes } from '../policy.js';
import { assertQuota } from '../quota.js';
import { bumped, checkRevision, newStandard } from '../standard-attrs.js';
import { deleteTags } from '../tags.js';
import { loadVisibleGroup, sharedWithAll, visibleGroups } from './access.js';
import { DEFAULT_GROUP_NAME, ensureDefaultSecurityGroup } from './default-group.js';
import { isSaneId, saneFilter } from './ids.js';
import { renderGroups, type Rendered } from './render.js';
import { defaultEgressRules, insertRules } from './rule-rows.js';

export interface GroupAttrs {
  name?: string;
  description?: string;
  stateful?: boolean;
  project_id: string;
}

const defaultExists = () => inUse('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');

/** The 'default' name is Neutron's reserved word, in any case (_validate_name_not_default). */
export function checkNameNotDefault(name: unknown): void {
  if (typeof name === 'string' && name.toLowerCase() === DEFAULT_GROUP_NAME) throw defaultExists();
}

/** The default group of `projectId` exists afterwards; a cheap read when it already does. */
export async function ensureDefaultFor(deps: NetworkDeps, projectId: string): Promise<void> {
  if (projectId === '' || !isSaneId(projectId)) return;
  const marker = await deps.db.selectFrom('net_default_security_group').select('project_id').where('project_id', '=', projectId).executeTakeFirst();
  if (marker === undefined) await inTransaction(deps.db, (trx) => ensureDefaultSecurityGroup(trx, deps, projectId));
}

async function renderOne(deps: NetworkDeps, row: SecurityGroupRow): Promise<Rendered> {
  const [item] = await renderGroups(deps.db, [row]);
  return item!;
}

async function targetOf(deps: NetworkDeps, row: SecurityGroupRow): Promise<Record<string, unknown>> {
  const shared = (await sharedWithAll(deps.db, [row.id])).has(row.id);
  return { project_id: row.project_id, tenant_id: row.project_id, name: row.name, shared };
}

export async function createGroup(deps: NetworkDeps, caller: Caller, attrs: GroupAttrs, given: Set<string>): Promise<Rendered> {
  const target = { ...attrs, tenant_id: attrs.project_id };
  enforce(deps, caller, 'create_security_group', target);
  enforceAttributes(deps, caller, 'create_security_group', given, target);
  checkNameNotDefault(attrs.name);
  const row: SecurityGroupRow = {
    id: randomUUID(), project_id: attrs.project_id, name: attrs.name ?? '', stateful: attrs.stateful === false ? 0 : 1,
    ...newStandard(attrs.description),
  };
  await inTransaction(deps.db, async (trx) => {
    await ensureDefaultSecurityGroup(trx, deps, attrs.project_id);
    await assertQuota(trx, deps.config, attrs.project_id, 'security_group');
    await assertQuota(trx, deps.config, attrs.project_id, 'security_group_rule', 2);
    await trx.insertInto('net_security_group').values(row).execute();
    await insertRules(trx, defaultEgressRules(attrs.project_id, row.id));
  });
  const item = await renderOne(deps, row);
  notify(deps, 'security_group.create.end', { security_group: item });
  return item;
}

export async function listGroups(deps: NetworkDeps, caller: Caller, query: Query): Promise<Rendered[]> {
  // Neutron creates the default group of the project being listed (an admin may name one).
  const named = queryValues(query, 'project_id')[0] ?? queryValues(query, 'tenant_id')[0];
  // Only for something shaped like a Keystone project id: a typo must not mint default groups.
  const plausible = named !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(named);
  await ensureDefaultFor(deps, caller.isAdmin && plausible ? named : caller.projectId);
  return renderGroups(deps.db, await visibleGroups(deps.db, caller, saneFilter(queryValues(query, 'id'))));
}

export async function showGroup(deps: NetworkDeps, caller: Caller, id: string): Promise<Rendered> {
  const row = await loadVisibleGroup(deps.db, caller, id);
  enforce(deps, caller, 'get_security_group', await targetOf(deps, row));
  return renderOne(deps, row);
}

async function portsUsing(trx: NetworkTx, id: string): Promise<boolean> {
  const row = await trx.selectFrom('net_port_security_group').select('port_id').where('security_group_id', '=', id).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function updateGroup(deps: NetworkDeps, caller: Caller, id: string, attrs: Omit<GroupAttrs, 'project_id'>, ifMatch: number | undefined): Promise<Rendered> {
  const current = await loadVisibleGroup(deps.db, caller, id);
  const target = await targetOf(deps, current);
  enforce(deps, caller, 'update_security_group', target);
  enforceAttributes(deps, caller, 'update_security_group', Object.keys(attrs), target);
  if (attrs.name !== undefined) checkNameNotDefault(attrs.name);
  const row = await inTransaction(deps.db, async (trx) => {
    const sg = await loadVisibleGroup(trx, caller, id);
    checkRevision(ifMatch, sg.revision_number);
    if (attrs.name !== undefined && sg.name === DEFAULT_GROUP_NAME) {
      throw inUse('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
    }
    const stateful = attrs.stateful === undefined ? sg.stateful : attrs.stateful ? 1 : 0;
    if (stateful !== sg.stateful && await portsUsing(trx, id)) throw inUse('SecurityGroupInUse', `Security Group ${id} in use.`);
    const changes = {
      name: attrs.name ?? sg.name, description: attrs.description ?? sg.description, stateful, ...bumped(sg),
    };
    await trx.updateTable('net_security_group').set(changes).where('id', '=', id).execute();
    return { ...sg, ...changes };
  });
  const item = await renderOne(deps, row);
  notify(deps, 'security_group.update.end', { security_group: item });
  return item;
}

/** Adds one to the revision of each group (agents watch it to reload rules). */
export async function bumpGroups(trx: NetworkTx, ids: readonly string[]): Promise<void> {
  for (const id of new Set(ids)) {
    const sg = await trx.selectFrom('net_security_group').select('revision_number').where('id', '=', id).executeTakeFirst();
    if (sg !== undefined) await trx.updateTable('net_security_group').set(bumped(sg)).where('id', '=', id).execute();
  }
}

export async function deleteGroup(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  const current = await loadVisibleGroup(deps.db, caller, id);
  enforce(deps, caller, 'delete_security_group', await targetOf(deps, current));
  const name = await inTransaction(deps.db, async (trx) => {
    const sg = await loadVisibleGroup(trx, caller, id);
    checkRevision(ifMatch, sg.revision_number);
    if (await portsUsing(trx, id)) throw inUse('SecurityGroupInUse', `Security Group ${id} in use.`);
    if (sg.name === DEFAULT_GROUP_NAME && !caller.isAdmin) {
      throw inUse('SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.');
    }
    // Rules elsewhere that name this group as their remote go with it (FK cascade): their groups change.
    const referring = await trx.selectFrom('net_security_group_rule').select('security_group_id')
      .where('remote_group_id', '=', id).where('security_group_id', '<>', id).execute();
    await trx.deleteFrom('net_security_group_rule').where('remote_group_id', '=', id).execute();
    await trx.deleteFrom('net_security_group_rule').where('security_group_id', '=', id).execute();
    await trx.deleteFrom('net_default_security_group').where('security_group_id', '=', id).execute();
    await trx.deleteFrom('net_rbac_policy').where('object_type', '=', 'security_group').where('object_id', '=', id).execute();
    await deleteTags(trx, 'security-groups', id);
    await trx.deleteFrom('net_security_group').where('id', '=', id).execute();
    await bumpGroups(trx, referring.map((r) => r.security_group_id));
    return sg.name;
  });
  notify(deps, 'security_group.delete.end', { security_group_id: id, name });
}

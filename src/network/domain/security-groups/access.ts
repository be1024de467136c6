// Who may see and use a security group: its owner, admins, and projects it is shared with
// through an RBAC policy (object_type security_group, access_as_shared, to them or to '*').
import type { Kysely } from 'kysely';
import type { NetworkDb, SecurityGroupRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import { securityGroupNotFound } from '../errors.js';
import { isSaneId } from './ids.js';

type Db = Kysely<NetworkDb>;

function sharedToQuery(db: Db, projectId: string) {
  return db.selectFrom('net_rbac_policy').select('object_id')
    .where('object_type', '=', 'security_group').where('action', '=', 'access_as_shared')
    .where('target_project', 'in', [projectId, '*']);
}

/** Of `ids` (or all groups when omitted), those shared with `projectId`. */
export async function sharedGroupIds(db: Db, projectId: string, ids?: readonly string[]): Promise<Set<string>> {
  let query = sharedToQuery(db, projectId);
  if (ids !== undefined) {
    if (ids.length === 0) return new Set();
    query = query.where('object_id', 'in', [...ids]);
  }
  return new Set((await query.execute()).map((r) => r.object_id));
}

/** Of `ids`, those shared with everyone (what the group's `shared` attribute reports). */
export async function sharedWithAll(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('net_rbac_policy').select('object_id')
    .where('object_type', '=', 'security_group').where('action', '=', 'access_as_shared')
    .where('target_project', '=', '*').where('object_id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.object_id));
}

/** Every group `projectId` may see; admins see all. `ids` narrows the query. */
export async function visibleGroups(db: Db, caller: Caller, ids?: readonly string[]): Promise<SecurityGroupRow[]> {
  let query = db.selectFrom('net_security_group').selectAll();
  if (ids !== undefined) {
    const sane = ids.filter(isSaneId);
    if (sane.length === 0) return [];
    query = query.where('id', 'in', sane);
  }
  if (!caller.isAdmin) {
    const project = caller.projectId;
    query = query.where((eb) => eb.or([eb('project_id', '=', project), eb('id', 'in', sharedToQuery(db, project))]));
  }
  return query.execute();
}

/** The group if the caller may see it, else 404 SecurityGroupNotFound. */
export async function loadVisibleGroup(db: Db, caller: Caller, id: string): Promise<SecurityGroupRow> {
  const [row] = await visibleGroups(db, caller, [id]);
  if (row === undefined) throw securityGroupNotFound(id);
  return row;
}

/** The group if `projectId` owns it or it is shared with that project (admins: any group). */
export async function loadUsableGroup(db: Db, caller: Caller, id: string, projectId: string): Promise<SecurityGroupRow> {
  if (!isSaneId(id)) throw securityGroupNotFound(id);
  const row = await db.selectFrom('net_security_group').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw securityGroupNotFound(id);
  if (caller.isAdmin || row.project_id === projectId) return row;
  if ((await sharedGroupIds(db, projectId, [id])).has(id)) return row;
  throw securityGroupNotFound(id);
}

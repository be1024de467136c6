// Who may see and use an address group: its owner, admins, and projects it is shared with
// through RBAC (object_type address_group, access_as_shared).
import type { Kysely } from 'kysely';
import { ApiError } from '../../../core/errors.js';
import type { AddressGroupRow, NetworkDb } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import { isSaneId } from './ids.js';

type Db = Kysely<NetworkDb>;

export const addressGroupNotFound = (id: string): ApiError =>
  new ApiError(404, `Address group ${id} could not be found.`, 'AddressGroupNotFound');

function sharedToQuery(db: Db, projectId: string) {
  return db.selectFrom('net_rbac_policy').select('object_id')
    .where('object_type', '=', 'address_group').where('action', '=', 'access_as_shared')
    .where('target_project', 'in', [projectId, '*']);
}

export async function visibleAddressGroups(db: Db, caller: Caller, ids?: readonly string[]): Promise<AddressGroupRow[]> {
  let query = db.selectFrom('net_address_group').selectAll();
  if (ids !== undefined) {
    const sane = ids.filter(isSaneId);
    if (sane.length === 0) return [];
    query = query.where('id', 'in', sane);
  }
  if (!caller.isAdmin) {
    query = query.where((eb) => eb.or([eb('project_id', '=', caller.projectId), eb('id', 'in', sharedToQuery(db, caller.projectId))]));
  }
  return query.execute();
}

export async function loadVisibleAddressGroup(db: Db, caller: Caller, id: string): Promise<AddressGroupRow> {
  const [row] = await visibleAddressGroups(db, caller, [id]);
  if (row === undefined) throw addressGroupNotFound(id);
  return row;
}

/** The address group if `projectId` owns it or it is shared with that project (admins: any). */
export async function loadUsableAddressGroup(db: Db, caller: Caller, id: string, projectId: string): Promise<AddressGroupRow> {
  if (!isSaneId(id)) throw addressGroupNotFound(id);
  const row = await db.selectFrom('net_address_group').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw addressGroupNotFound(id);
  if (caller.isAdmin || row.project_id === projectId) return row;
  const shared = await sharedToQuery(db, projectId).where('object_id', '=', id).executeTakeFirst();
  if (shared === undefined) throw addressGroupNotFound(id);
  return row;
}

/** Of `ids`, those shared with everyone (the `shared` attribute). */
export async function addressGroupsSharedWithAll(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('net_rbac_policy').select('object_id')
    .where('object_type', '=', 'address_group').where('action', '=', 'access_as_shared')
    .where('target_project', '=', '*').where('object_id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.object_id));
}

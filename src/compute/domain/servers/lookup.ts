// Finding a server the caller may see: every server route starts here. Nova answers 404
// InstanceNotFound for a server of another project (unless the policy lets the caller act on it,
// as admin), and for a deleted one.
import type { Kysely } from 'kysely';
import { ApiError } from '../../../core/errors.js';
import type { ComputeDb, InstanceRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';

export const instanceNotFound = (uuid: string): ApiError => new ApiError(404, `Instance ${uuid} could not be found.`, 'InstanceNotFound');

/** nova.exception.InstanceNotReady (409): the server has no host to act on. */
export const instanceNotReady = (uuid: string): ApiError => new ApiError(409, `Instance ${uuid} is not ready`, 'InstanceNotReady');

/** The server's system_metadata (image_* properties and the like); {} when unreadable. */
export function systemMetadataOf(row: Pick<InstanceRow, 'system_metadata'>): Record<string, string> {
  try {
    const parsed = JSON.parse(row.system_metadata) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, string> : {};
  } catch {
    return {};
  }
}

/** nova.exception.InstanceIsLocked (409). */
export const instanceLocked = (uuid: string): ApiError => new ApiError(409, `Instance ${uuid} is locked`, 'InstanceIsLocked');

/** @check_instance_lock: a locked server refuses changes from anyone but an admin. */
export function checkNotLocked(caller: Caller, row: InstanceRow): void {
  if ((row.locked === 1 || !!row.locked_by) && !caller.isAdmin) throw instanceLocked(row.uuid);
}

/** nova.exception.InstanceInvalidState (409): "Cannot 'stop' instance … while it is in vm_state stopped". */
export const instanceInvalidState = (uuid: string, action: string, attr: string, state: string | null): ApiError =>
  new ApiError(409, `Cannot '${action}' instance ${uuid} while it is in ${attr} ${state ?? 'None'}`, 'InstanceInvalidState');

export async function loadInstance(db: Kysely<ComputeDb>, uuid: string, options: { readDeleted?: boolean } = {}): Promise<InstanceRow | undefined> {
  let q = db.selectFrom('nova_instance').selectAll().where('uuid', '=', uuid);
  if (!options.readDeleted) q = q.where('deleted', '=', 0);
  return q.executeTakeFirst();
}

/**
 * The server `uuid` if it exists and the caller's project owns it — or the caller is admin (the
 * API's policy rules then decide what the admin may do with it). Anything else is a 404.
 */
export async function visibleInstance(db: Kysely<ComputeDb>, caller: Caller, uuid: string): Promise<InstanceRow> {
  const row = await loadInstance(db, uuid);
  if (!row || (!caller.isAdmin && row.project_id !== caller.projectId)) throw instanceNotFound(uuid);
  return row;
}

/** The policy target of a server (Nova's `target = {'project_id': instance.project_id, 'user_id': …}`). */
export function instanceTarget(row: Pick<InstanceRow, 'project_id' | 'user_id'>): { project_id: string; user_id: string } {
  return { project_id: row.project_id, user_id: row.user_id };
}

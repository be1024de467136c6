// Who belongs to which group. Membership carries roles, so every change bumps the change
// counter; removing a user also revokes that user's tokens, as Keystone does.
import type { Kysely } from 'kysely';
import { notFound } from '../../core/errors.js';
import type { GroupRow, IdentityDb, UserRow } from '../db/schema.js';
import { getUser } from './users.js';
import { getGroup } from './groups.js';
import type { IdentityWriteDeps } from './write-deps.js';

async function isMember(db: Kysely<IdentityDb>, groupId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom('membership').select('user_id')
    .where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

/** Adding a member twice is not an error. */
export async function addUserToGroup(deps: IdentityWriteDeps, groupId: string, userId: string): Promise<void> {
  await getGroup(deps.db, groupId);
  await getUser(deps.db, userId);
  if (!(await isMember(deps.db, groupId, userId))) {
    await deps.db.insertInto('membership').values({ group_id: groupId, user_id: userId })
      .onConflict((oc) => oc.columns(['user_id', 'group_id']).doNothing()).execute();
  }
  deps.changes.bump();
}

export async function checkUserInGroup(db: Kysely<IdentityDb>, groupId: string, userId: string): Promise<void> {
  await getGroup(db, groupId);
  await getUser(db, userId);
  if (!(await isMember(db, groupId, userId))) {
    throw notFound(`User '${userId}' not found in group '${groupId}'.`);
  }
}

export async function removeUserFromGroup(deps: IdentityWriteDeps, groupId: string, userId: string): Promise<void> {
  await checkUserInGroup(deps.db, groupId, userId);
  await deps.db.deleteFrom('membership').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
  await deps.revocations.revoke({ userId });
  deps.changes.bump();
}

export interface MemberFilter { readonly name?: string; readonly domainId?: string; readonly enabled?: boolean }

export async function listUsersInGroup(db: Kysely<IdentityDb>, groupId: string, filter: MemberFilter = {}): Promise<UserRow[]> {
  await getGroup(db, groupId);
  let q = db.selectFrom('identity_user').innerJoin('membership', 'membership.user_id', 'identity_user.id')
    .selectAll('identity_user').where('membership.group_id', '=', groupId).orderBy('identity_user.name');
  if (filter.name !== undefined) q = q.where('identity_user.name', '=', filter.name);
  if (filter.domainId !== undefined) q = q.where('identity_user.domain_id', '=', filter.domainId);
  if (filter.enabled !== undefined) q = q.where('identity_user.enabled', '=', filter.enabled ? 1 : 0);
  return q.execute();
}

export async function listGroupsForUser(db: Kysely<IdentityDb>, userId: string): Promise<GroupRow[]> {
  await getUser(db, userId);
  return db.selectFrom('identity_group').innerJoin('membership', 'membership.group_id', 'identity_group.id')
    .selectAll('identity_group').where('membership.user_id', '=', userId).orderBy('identity_group.name').execute();
}

export async function groupIdsOfUser(db: Kysely<IdentityDb>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('membership').select('group_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.group_id);
}

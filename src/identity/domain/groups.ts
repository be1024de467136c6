// Group records. Deleting a group removes its memberships and its role assignments; Keystone
// then revokes the members' tokens when the group held any role, since their roles shrank.
import type { Kysely } from 'kysely';
import { badRequest, conflict, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { GroupRow, IdentityDb } from '../db/schema.js';
import { getDomain } from './domains.js';
import type { IdentityWriteDeps } from './write-deps.js';

export const GROUP_ASSIGNMENT_TYPES = ['GroupProject', 'GroupDomain', 'GroupSystem'] as const;

export interface GroupInput {
  name?: string;
  domain_id?: string;
  description?: string | null;
  extra?: Record<string, unknown>;
}

export async function findGroup(db: Kysely<IdentityDb>, id: string): Promise<GroupRow | undefined> {
  return db.selectFrom('identity_group').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getGroup(db: Kysely<IdentityDb>, id: string): Promise<GroupRow> {
  const row = await findGroup(db, id);
  if (!row) throw notFound(`Could not find group: ${id}.`);
  return row;
}

function duplicate(name: string | undefined, domainId: string): never {
  throw conflict(`Conflict occurred attempting to store group - Duplicate entry found with name ${name} at domain ID ${domainId}.`);
}

export async function createGroup(deps: IdentityWriteDeps, input: GroupInput & { name: string; domain_id: string }): Promise<GroupRow> {
  await getDomain(deps.db, input.domain_id);
  const row: GroupRow = {
    id: newHexId(), name: input.name.trim(), domain_id: input.domain_id, description: input.description ?? '',
    extra: JSON.stringify(input.extra ?? {}),
  };
  try {
    await deps.db.insertInto('identity_group').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) duplicate(row.name, row.domain_id);
    throw err;
  }
  deps.changes.bump();
  return row;
}

export async function updateGroup(deps: IdentityWriteDeps, id: string, input: GroupInput): Promise<GroupRow> {
  const current = await getGroup(deps.db, id);
  if (input.domain_id !== undefined && input.domain_id !== current.domain_id) throw badRequest('Cannot change Domain ID');
  const changes: Partial<GroupRow> = {};
  if (input.name !== undefined) changes.name = input.name.trim();
  if (input.description !== undefined) changes.description = input.description ?? '';
  if (input.extra !== undefined && Object.keys(input.extra).length > 0) {
    changes.extra = JSON.stringify({ ...JSON.parse(current.extra), ...input.extra });
  }
  if (Object.keys(changes).length > 0) {
    try {
      await deps.db.updateTable('identity_group').set(changes).where('id', '=', id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) duplicate(changes.name, current.domain_id);
      throw err;
    }
  }
  deps.changes.bump();
  return getGroup(deps.db, id);
}

export async function deleteGroup(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getGroup(deps.db, id);
  const { members, hadRoles } = await deps.db.transaction().execute(async (tx) => {
    const assignments = await tx.selectFrom('assignment').select('role_id')
      .where('actor_id', '=', id).where('type', 'in', [...GROUP_ASSIGNMENT_TYPES]).execute();
    const rows = await tx.selectFrom('membership').select('user_id').where('group_id', '=', id).execute();
    await tx.deleteFrom('assignment').where('actor_id', '=', id).where('type', 'in', [...GROUP_ASSIGNMENT_TYPES]).execute();
    await tx.deleteFrom('membership').where('group_id', '=', id).execute();
    await tx.deleteFrom('identity_group').where('id', '=', id).execute();
    return { members: rows.map((r) => r.user_id), hadRoles: assignments.length > 0 };
  });
  if (hadRoles) {
    for (const userId of members) await deps.revocations.revoke({ userId });
  }
  deps.changes.bump();
}

export interface GroupFilter { readonly name?: string; readonly domainId?: string }

export async function listGroups(db: Kysely<IdentityDb>, filter: GroupFilter): Promise<GroupRow[]> {
  let q = db.selectFrom('identity_group').selectAll().orderBy('name');
  if (filter.domainId !== undefined) q = q.where('domain_id', '=', filter.domainId);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  return q.execute();
}

// User records: create, update (password changes keep history and revoke tokens), delete.
import type { Kysely } from 'kysely';
import { conflict, badRequest, notFound, unauthorized } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { SecurityComplianceConfig } from '../../core/config.js';
import type { IdentityDb, UserRow } from '../db/schema.js';
import type { ChangeCounter } from './change-counter.js';
import { getDomain } from './domains.js';
import type { PasswordHasher } from './password-hasher.js';
import type { RevocationList } from './revocation.js';

export interface UserDeps {
  readonly db: Kysely<IdentityDb>;
  readonly hasher: PasswordHasher;
  readonly revocations: RevocationList;
  readonly changes: ChangeCounter;
}

export interface UserInput {
  name?: string;
  domain_id?: string;
  enabled?: boolean;
  password?: string | null;
  default_project_id?: string | null;
  description?: string | null;
  options?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

export async function createUser(deps: UserDeps, input: UserInput & { name: string; domain_id: string }): Promise<UserRow> {
  await getDomain(deps.db, input.domain_id);
  const now = new Date().toISOString();
  const hash = typeof input.password === 'string' ? await deps.hasher.hash(input.password) : null;
  const row: UserRow = {
    id: newHexId(), name: input.name, domain_id: input.domain_id, enabled: input.enabled === false ? 0 : 1,
    password_hash: hash, password_created_at: hash ? now : null, password_expires_at: null,
    default_project_id: input.default_project_id ?? null, description: input.description ?? '',
    extra: JSON.stringify(input.extra ?? {}), options: JSON.stringify(input.options ?? {}), created_at: now,
    failed_auth_count: 0, failed_auth_at: null,
  };
  try {
    await deps.db.insertInto('identity_user').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Conflict occurred attempting to store user - Duplicate entry found with name ${input.name} at domain ID ${input.domain_id}.`);
    throw err;
  }
  deps.changes.bump();
  return row;
}

export async function getUser(db: Kysely<IdentityDb>, id: string): Promise<UserRow> {
  const row = await db.selectFrom('identity_user').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Could not find user: ${id}.`);
  return row;
}

export async function updateUser(deps: UserDeps, id: string, input: UserInput): Promise<UserRow> {
  const current = await getUser(deps.db, id);
  if (input.domain_id !== undefined && input.domain_id !== current.domain_id) {
    throw badRequest('Cannot change the domain of a user.');
  }
  const changes: Partial<UserRow> = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.enabled !== undefined) changes.enabled = input.enabled ? 1 : 0;
  if (input.default_project_id !== undefined) changes.default_project_id = input.default_project_id;
  if (input.description !== undefined) changes.description = input.description ?? '';
  if (input.options !== undefined) changes.options = JSON.stringify({ ...JSON.parse(current.options), ...input.options });
  if (input.extra !== undefined && Object.keys(input.extra).length > 0) {
    changes.extra = JSON.stringify({ ...JSON.parse(current.extra), ...input.extra });
  }
  if (input.password !== undefined) {
    changes.password_hash = input.password === null ? null : await deps.hasher.hash(input.password);
    changes.password_created_at = input.password === null ? null : new Date().toISOString();
  }
  if (Object.keys(changes).length > 0) {
    try {
      await deps.db.updateTable('identity_user').set(changes).where('id', '=', id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Conflict occurred attempting to store user - Duplicate entry found with name ${input.name} at domain ID ${current.domain_id}.`);
      throw err;
    }
  }
  // A new password or a disabled account ends every token the user already holds.
  if (input.password !== undefined || input.enabled === false) await deps.revocations.revoke({ userId: id });
  deps.changes.bump();
  return getUser(deps.db, id);
}

export async function deleteUser(deps: UserDeps, id: string): Promise<void> {
  await getUser(deps.db, id);
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('assignment').where('actor_id', '=', id).where('type', 'in', ['UserProject', 'UserDomain', 'UserSystem']).execute();
    await tx.deleteFrom('credential').where('user_id', '=', id).execute();
    // Trusts the user gave or received end with the user, as in Keystone.
    const trusts = tx.selectFrom('trust').select('id').where((eb) => eb.or([eb('trustor_user_id', '=', id), eb('trustee_user_id', '=', id)]));
    await tx.deleteFrom('trust_role').where('trust_id', 'in', trusts).execute();
    await tx.deleteFrom('trust').where((eb) => eb.or([eb('trustor_user_id', '=', id), eb('trustee_user_id', '=', id)])).execute();
    await tx.deleteFrom('identity_user').where('id', '=', id).execute();
  });
  await deps.revocations.revoke({ userId: id });
  deps.changes.bump();
}

/** Self-service change: authenticated by the original password, not by a token's role. */
export async function changeOwnPassword(deps: UserDeps, compliance: SecurityComplianceConfig, id: string, original: string, password: string): Promise<void> {
  const user = await deps.db.selectFrom('identity_user').selectAll().where('id', '=', id).executeTakeFirst();
  const ok = await deps.hasher.verify(original, user?.password_hash);
  if (!ok || !user || !user.enabled) throw unauthorized('The request you have made requires authentication.');
  await refuseRecentPassword(deps, compliance.uniqueLastPasswordCount, user, password);
  await deps.db.insertInto('password_history').values({ user_id: id, password_hash: user.password_hash!, created_at: new Date().toISOString() }).execute();
  await updateUser(deps, id, { password });
}

/** Keystone's unique_last_password_count: the current password and the N-1 before it may not come back. */
async function refuseRecentPassword(deps: UserDeps, count: number, user: UserRow, password: string): Promise<void> {
  if (count <= 1) return;
  const history = await deps.db.selectFrom('password_history').select('password_hash').where('user_id', '=', user.id)
    .orderBy('created_at', 'desc').limit(count - 1).execute();
  for (const hash of [user.password_hash, ...history.map((h) => h.password_hash)]) {
    if (hash && await deps.hasher.verify(password, hash)) {
      throw badRequest(`The new password cannot be identical to a previous password. The total number which includes the new password must be unique is ${count}.`);
    }
  }
}

// Application credentials: a secret that authenticates as its user on one project with a subset
// of the roles the creating token held. Only the secret's hash is stored; the plain secret exists
// once, in the create response. Tokens issued from a credential die with it: validation re-reads
// the credential row, and the change counter ends cached validations.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { badRequest, conflict, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { AppCredRow, IdentityDb, RoleRow } from '../db/schema.js';
import { accessRulesOf, findOrCreateAccessRule, type AccessRule, type AccessRuleInput } from './access-rules.js';
import { parseExpiry } from './expiry.js';
import type { PasswordHasher } from './password-hasher.js';
import type { IdentityWriteDeps } from './write-deps.js';

export interface RoleRef { id?: string; name?: string }

export interface AppCredInput {
  name: string;
  description?: string | null;
  secret?: string | null;
  expires_at?: string | null;
  roles?: RoleRef[];
  unrestricted?: boolean;
  access_rules?: AccessRuleInput[];
}

/** The token creating the credential: its user, its project and the roles it carries. */
export interface AppCredCaller { readonly userId: string; readonly projectId: string; readonly roleIds: readonly string[] }

export interface AppCredView { readonly row: AppCredRow; readonly roles: RoleRow[]; readonly accessRules: AccessRule[] }

export type AppCredDeps = IdentityWriteDeps & { readonly hasher: PasswordHasher };

type Db = Kysely<IdentityDb>;

const invalid = (detail: string) => badRequest(`Invalid application credential: ${detail}`);

/** Keystone's generator: 64 random bytes, URL-safe base64 without padding. */
export function generateSecret(): string {
  return randomBytes(64).toString('base64url');
}

async function resolveRole(db: Db, ref: RoleRef): Promise<string> {
  if (ref.id !== undefined) return ref.id;
  const rows = await db.selectFrom('role').select('id').where('name', '=', ref.name!).execute();
  if (rows.length === 0) throw notFound(`Could not find role: ${ref.name}.`);
  if (rows.length > 1) throw badRequest(`There are multiple role entities named '${ref.name}'. Please use ID instead of names to resolve the ambiguity.`);
  return rows[0]!.id;
}

/** Explicit roles must all be in the token; none given means all of the token's roles. */
async function chooseRoles(db: Db, caller: AppCredCaller, refs: RoleRef[] | undefined): Promise<string[]> {
  if (!refs || refs.length === 0) return [...caller.roleIds];
  const ids: string[] = [];
  for (const ref of refs) {
    const id = await resolveRole(db, ref);
    if (!caller.roleIds.includes(id)) throw invalid('Cannot create an application credential with unassigned role');
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

export async function getAppCred(db: Db, id: string): Promise<AppCredRow> {
  const row = await db.selectFrom('application_credential').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Could not find Application Credential: ${id}.`);
  return row;
}

export async function appCredView(db: Db, row: AppCredRow): Promise<AppCredView> {
  const links = await db.selectFrom('application_credential_role').select('role_id').where('application_credential_id', '=', row.id).execute();
  const ids = links.map((l) => l.role_id);
  // A role deleted since creation simply no longer shows (and no longer applies).
  const roles = ids.length === 0 ? [] : await db.selectFrom('role').selectAll().where('id', 'in', ids).orderBy('name').execute();
  return { row, roles, accessRules: await accessRulesOf(db, row.id) };
}

export async function createAppCred(deps: AppCredDeps, caller: AppCredCaller, input: AppCredInput): Promise<{ view: AppCredView; secret: string }> {
  const roleIds = await chooseRoles(deps.db, caller, input.roles);
  if (roleIds.length === 0) throw invalid('Cannot create an application credential without roles');
  const expiresAt = input.expires_at ? parseExpiry(input.expires_at) : null;
  const secret = input.secret || generateSecret();
  const row: AppCredRow = {
    id: newHexId(), name: input.name, user_id: caller.userId, project_id: caller.projectId, system: null,
    description: input.description ?? '', secret_hash: await deps.hasher.hash(secret), expires_at: expiresAt,
    unrestricted: input.unrestricted ? 1 : 0, created_at: new Date().toISOString(),
  };
  try {
    await deps.db.transaction().execute(async (tx) => {
      await tx.insertInto('application_credential').values(row).execute();
      await tx.insertInto('application_credential_role').values(roleIds.map((role_id) => ({ application_credential_id: row.id, role_id }))).execute();
      const linked = new Set<string>();
      for (const rule of input.access_rules ?? []) {
        const ruleRow = await findOrCreateAccessRule(tx, caller.userId, rule);
        if (linked.has(ruleRow.id)) continue;
        linked.add(ruleRow.id);
        await tx.insertInto('application_credential_access_rule').values({ application_credential_id: row.id, access_rule_id: ruleRow.id }).execute();
      }
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Conflict occurred attempting to store application_credential - Duplicate entry found with name ${input.name}.`);
    throw err;
  }
  deps.changes.bump();
  return { view: await appCredView(deps.db, row), secret };
}

export async function listAppCreds(db: Db, userId: string, name: string | undefined): Promise<AppCredRow[]> {
  let q = db.selectFrom('application_credential').selectAll().where('user_id', '=', userId).orderBy('name');
  if (name !== undefined) q = q.where('name', '=', name);
  return q.execute();
}

/** Roles and access-rule links go with the row (foreign keys cascade); the rules themselves stay. */
export async function deleteAppCred(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getAppCred(deps.db, id);
  await deps.db.deleteFrom('application_credential').where('id', '=', id).execute();
  deps.changes.bump();
}

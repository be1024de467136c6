// OS-TRUST trusts: a trustor delegates some of its roles on a project to a trustee, optionally
// impersonated, until expires_at or for remaining_uses authentications. An expired or used-up
// trust reads as not found, as Keystone's driver does.
import type { Kysely } from 'kysely';
import { badRequest, conflict, forbidden, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import type { IdentityDb, RoleRow, TrustRow } from '../db/schema.js';
import { assignedRoleIds, expandImplied } from './effective-roles.js';
import { parseExpiry } from './expiry.js';
import type { IdentityWriteDeps } from './write-deps.js';

export interface TrustRoleRef { id?: string; name?: string }

export interface TrustInput {
  trustor_user_id: string;
  trustee_user_id: string;
  impersonation: boolean;
  project_id?: string | null;
  roles?: TrustRoleRef[];
  expires_at?: string | null;
  remaining_uses?: number | null;
  allow_redelegation?: boolean | null;
  redelegation_count?: number | null;
  extra?: Record<string, unknown>;
}

type Db = Kysely<IdentityDb>;

/** Keystone's [trust] max_redelegation_count default. */
const MAX_REDELEGATION_COUNT = 3;

const denied = (why: string) => forbidden(`You are not authorized to perform the requested action: ${why}.`);

export function usable(row: TrustRow, now = Date.now()): boolean {
  return (row.expires_at === null || Date.parse(row.expires_at) > now) && row.remaining_uses !== 0;
}

export async function getTrust(db: Db, id: string): Promise<TrustRow> {
  const row = await db.selectFrom('trust').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !usable(row)) throw notFound(`Could not find trust: ${id}.`);
  return row;
}

export async function trustRoles(db: Db, trustId: string): Promise<RoleRow[]> {
  return db.selectFrom('trust_role as t').innerJoin('role as r', 'r.id', 't.role_id')
    .selectAll('r').where('t.trust_id', '=', trustId).orderBy('r.name').execute();
}

async function resolveRoleIds(db: Db, refs: TrustRoleRef[]): Promise<string[]> {
  const ids: string[] = [];
  for (const ref of refs) {
    let id = ref.id;
    if (id === undefined) {
      const rows = await db.selectFrom('role').select('id').where('name', '=', ref.name!).execute();
      if (rows.length === 0) throw notFound(`Could not find role: ${ref.name}.`);
      if (rows.length > 1) throw badRequest(`There are multiple role entities named '${ref.name}'. Please use ID instead of names to resolve the ambiguity.`);
      id = rows[0]!.id;
    }
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The trustor must hold every delegated role on the project (domain-specific roles included). */
async function requireTrustorRoles(db: Db, trustorId: string, projectId: string | null | undefined, roleIds: string[]): Promise<void> {
  if (!projectId) return;
  const project = await db.selectFrom('project').select('id').where('id', '=', projectId).executeTakeFirst();
  if (!project) throw notFound(`Could not find project: ${projectId}.`);
  const held = await expandImplied(db, await assignedRoleIds(db, trustorId, { kind: 'project', id: projectId }));
  const missing = roleIds.find((id) => !held.has(id));
  if (missing !== undefined) throw notFound(`Could not find role: ${missing}.`);
}

function redelegation(input: TrustInput): number {
  const requested = input.redelegation_count ?? null;
  if (!input.allow_redelegation || requested === 0) return 0;
  if (requested !== null && requested > MAX_REDELEGATION_COUNT) {
    throw denied(`Requested redelegation depth of ${requested} is greater than allowed ${MAX_REDELEGATION_COUNT}`);
  }
  if (input.remaining_uses !== undefined && input.remaining_uses !== null) {
    throw badRequest('remaining_uses must not be set if redelegation is allowed');
  }
  return requested ?? MAX_REDELEGATION_COUNT;
}

export async function createTrust(deps: IdentityWriteDeps, callerId: string, input: TrustInput): Promise<TrustRow> {
  if (input.project_id && (input.roles ?? []).length === 0) throw denied('At least one role should be specified');
  if (callerId !== input.trustor_user_id) throw denied('The authenticated user should match the trustor');
  const trustee = await deps.db.selectFrom('identity_user').select('id').where('id', '=', input.trustee_user_id).executeTakeFirst();
  if (!trustee) throw notFound(`Could not find user: ${input.trustee_user_id}.`);
  const roleIds = await resolveRoleIds(deps.db, input.roles ?? []);
  await requireTrustorRoles(deps.db, input.trustor_user_id, input.project_id, roleIds);
  const expiresAt = input.expires_at ? parseExpiry(input.expires_at) : null;
  const row: TrustRow = {
    id: newHexId(), trustor_user_id: input.trustor_user_id, trustee_user_id: input.trustee_user_id,
    project_id: input.project_id ?? null, impersonation: input.impersonation ? 1 : 0, expires_at: expiresAt,
    remaining_uses: input.remaining_uses ?? null, redelegated_trust_id: null, redelegation_count: redelegation(input),
    extra: JSON.stringify(input.extra ?? {}), created_at: new Date().toISOString(),
  };
  const duplicate = await deps.db.selectFrom('trust').select('id').where('trustor_user_id', '=', row.trustor_user_id)
    .where('trustee_user_id', '=', row.trustee_user_id).where('impersonation', '=', row.impersonation)
    .where((eb) => (row.project_id === null ? eb('project_id', 'is', null) : eb('project_id', '=', row.project_id)))
    .where((eb) => (row.expires_at === null ? eb('expires_at', 'is', null) : eb('expires_at', '=', row.expires_at)))
    .executeTakeFirst();
  if (duplicate) throw conflict(`Conflict occurred attempting to store trust - Duplicate entry found with ID ${duplicate.id}.`);
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('trust').values(row).execute();
    if (roleIds.length > 0) await tx.insertInto('trust_role').values(roleIds.map((role_id) => ({ trust_id: row.id, role_id }))).execute();
  });
  deps.changes.bump();
  return row;
}

export async function listTrusts(db: Db, filters: { trustor_user_id?: string; trustee_user_id?: string }): Promise<TrustRow[]> {
  let q = db.selectFrom('trust').selectAll().orderBy('created_at').orderBy('id');
  if (filters.trustor_user_id !== undefined) q = q.where('trustor_user_id', '=', filters.trustor_user_id);
  if (filters.trustee_user_id !== undefined) q = q.where('trustee_user_id', '=', filters.trustee_user_id);
  return q.execute();
}

/** Delegated roles go with the trust (foreign key cascade). */
export async function deleteTrust(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getTrust(deps.db, id);
  await deps.db.deleteFrom('trust').where('id', '=', id).execute();
  deps.changes.bump();
}

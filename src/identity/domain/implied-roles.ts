// Role inference rules: holding the prior role grants the implied one. As in Keystone, a global
// role may not imply a domain-specific one and `admin` may not be implied by anything (its
// prohibited_implied_role default). Cycles are allowed; every expansion keeps a visited set.
import type { Kysely } from 'kysely';
import { conflict, forbidden, notFound } from '../../core/errors.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { IdentityDb, ImpliedRoleRow, RoleRow } from '../db/schema.js';
import { getRole } from './roles.js';
import type { IdentityWriteDeps } from './write-deps.js';

const PROHIBITED_IMPLIED = new Set(['admin']);

export interface Inference {
  readonly prior: RoleRow;
  readonly implied: RoleRow;
}

async function findRule(db: Kysely<IdentityDb>, priorId: string, impliedId: string): Promise<ImpliedRoleRow | undefined> {
  return db.selectFrom('implied_role').selectAll()
    .where('prior_role_id', '=', priorId).where('implied_role_id', '=', impliedId).executeTakeFirst();
}

export async function createImpliedRole(deps: IdentityWriteDeps, priorId: string, impliedId: string): Promise<Inference> {
  const implied = await getRole(deps.db, impliedId);
  const prior = await getRole(deps.db, priorId);
  if (PROHIBITED_IMPLIED.has(implied.name)) throw forbidden(`${impliedId} cannot be an implied roles.`);
  if (prior.domain_id === null && implied.domain_id !== null) {
    throw forbidden('Global role cannot imply a domain-specific role');
  }
  try {
    await deps.db.insertInto('implied_role').values({ prior_role_id: priorId, implied_role_id: impliedId }).execute();
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflict(`Conflict occurred attempting to store implied_role - Duplicate entry found with prior_role_id ${priorId} and implied_role_id ${impliedId}.`);
    }
    throw err;
  }
  deps.changes.bump();
  return { prior, implied };
}

export async function getImpliedRole(db: Kysely<IdentityDb>, priorId: string, impliedId: string): Promise<Inference> {
  const prior = await getRole(db, priorId);
  const implied = await getRole(db, impliedId);
  if (!(await findRule(db, priorId, impliedId))) throw notFound(`${priorId} does not imply ${impliedId}.`);
  return { prior, implied };
}

export async function deleteImpliedRole(deps: IdentityWriteDeps, priorId: string, impliedId: string): Promise<void> {
  await getImpliedRole(deps.db, priorId, impliedId);
  await deps.db.deleteFrom('implied_role')
    .where('prior_role_id', '=', priorId).where('implied_role_id', '=', impliedId).execute();
  deps.changes.bump();
}

/** The roles the prior role implies directly (not transitively). */
export async function listImpliedRoles(db: Kysely<IdentityDb>, priorId: string): Promise<{ prior: RoleRow; implies: RoleRow[] }> {
  const prior = await getRole(db, priorId);
  const implies = await db.selectFrom('implied_role').innerJoin('role', 'role.id', 'implied_role.implied_role_id')
    .selectAll('role').where('implied_role.prior_role_id', '=', priorId).orderBy('role.name').execute();
  return { prior, implies };
}

/** Every rule, grouped by prior role. */
export async function listAllInferences(db: Kysely<IdentityDb>): Promise<{ prior: RoleRow; implies: RoleRow[] }[]> {
  const rules = await db.selectFrom('implied_role').selectAll().execute();
  const roles = new Map((await db.selectFrom('role').selectAll().execute()).map((r) => [r.id, r]));
  const grouped = new Map<string, RoleRow[]>();
  for (const rule of rules) {
    const implied = roles.get(rule.implied_role_id);
    if (!implied || !roles.has(rule.prior_role_id)) continue;
    grouped.set(rule.prior_role_id, [...(grouped.get(rule.prior_role_id) ?? []), implied]);
  }
  return [...grouped].map(([priorId, implies]) => ({ prior: roles.get(priorId)!, implies }));
}

/** prior role id -> implied role ids, for expanding many assignments with one query. */
export async function inferenceMap(db: Kysely<IdentityDb>): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  for (const r of await db.selectFrom('implied_role').selectAll().execute()) {
    map.set(r.prior_role_id, [...(map.get(r.prior_role_id) ?? []), r.implied_role_id]);
  }
  return map;
}

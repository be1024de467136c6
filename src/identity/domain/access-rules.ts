// Access rules of application credentials: (service, path, method) triples a user owns. An
// identical triple is shared between that user's credentials; one in use cannot be deleted.
import type { Kysely } from 'kysely';
import { conflict, forbidden, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { AccessRuleRow, IdentityDb } from '../db/schema.js';
import type { IdentityWriteDeps } from './write-deps.js';

/** As a client sends it: a full triple (optionally with a chosen id), or only the id of one of theirs. */
export interface AccessRuleInput { id?: string; service?: string; path?: string; method?: string }

export interface AccessRule { id: string; service: string; path: string; method: string }

type Db = Kysely<IdentityDb>;

export const toAccessRule = (r: AccessRuleRow): AccessRule => ({ id: r.external_id, service: r.service, path: r.path, method: r.method });

export async function getAccessRule(db: Db, userId: string, id: string): Promise<AccessRuleRow> {
  const row = await db.selectFrom('access_rule').selectAll().where('external_id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  if (!row) throw notFound(`Could not find Access Rule: ${id}.`);
  return row;
}

/** Finds the user's rule by id, then by identical triple, else creates it. Runs inside the caller's transaction. */
export async function findOrCreateAccessRule(tx: Db, userId: string, input: AccessRuleInput): Promise<AccessRuleRow> {
  if (input.id !== undefined) {
    const byId = await tx.selectFrom('access_rule').selectAll().where('external_id', '=', input.id).where('user_id', '=', userId).executeTakeFirst();
    if (byId) return byId;
  }
  if (input.service === undefined || input.path === undefined || input.method === undefined) {
    throw notFound(`Could not find Access Rule: ${input.id ?? ''}.`);
  }
  const same = await tx.selectFrom('access_rule').selectAll().where('user_id', '=', userId)
    .where('service', '=', input.service).where('path', '=', input.path).where('method', '=', input.method).executeTakeFirst();
  if (same) return same;
  const id = input.id ?? newHexId();
  const row: AccessRuleRow = { id, external_id: id, user_id: userId, service: input.service, path: input.path, method: input.method };
  try {
    await tx.insertInto('access_rule').values(row).execute();
  } catch (err) {
    // A chosen id already taken by another user's rule.
    if (isUniqueViolation(err)) throw conflict(`Conflict occurred attempting to store access_rule - Duplicate entry found with ID ${id}.`);
    throw err;
  }
  return row;
}

export async function listAccessRules(db: Db, userId: string, filters: { service?: string; path?: string; method?: string }): Promise<AccessRuleRow[]> {
  let q = db.selectFrom('access_rule').selectAll().where('user_id', '=', userId).orderBy('service').orderBy('path');
  if (filters.service !== undefined) q = q.where('service', '=', filters.service);
  if (filters.path !== undefined) q = q.where('path', '=', filters.path);
  if (filters.method !== undefined) q = q.where('method', '=', filters.method);
  return q.execute();
}

export async function deleteAccessRule(deps: IdentityWriteDeps, userId: string, id: string): Promise<void> {
  const row = await getAccessRule(deps.db, userId, id);
  const inUse = await deps.db.selectFrom('application_credential_access_rule').select('access_rule_id')
    .where('access_rule_id', '=', row.id).executeTakeFirst();
  if (inUse) throw forbidden('May not delete access rule in use');
  await deps.db.deleteFrom('access_rule').where('id', '=', row.id).execute();
  deps.changes.bump();
}

export async function accessRulesOf(db: Db, appCredId: string): Promise<AccessRule[]> {
  const rows = await db.selectFrom('application_credential_access_rule as l')
    .innerJoin('access_rule as r', 'r.id', 'l.access_rule_id')
    .selectAll('r').where('l.application_credential_id', '=', appCredId).orderBy('r.service').orderBy('r.path').execute();
  return rows.map(toAccessRule);
}

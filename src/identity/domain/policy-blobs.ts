// The deprecated /v3/policies store: opaque policy documents Keystone keeps but never enforces.
import type { Kysely } from 'kysely';
import { notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import type { IdentityDb, PolicyRow } from '../db/schema.js';
import type { IdentityWriteDeps } from './write-deps.js';

export interface PolicyInput { type?: string; blob?: string; extra?: Record<string, unknown> }

type Db = Kysely<IdentityDb>;

export async function getPolicy(db: Db, id: string): Promise<PolicyRow> {
  const row = await db.selectFrom('policy').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Could not find policy: ${id}.`);
  return row;
}

export async function createPolicy(deps: IdentityWriteDeps, input: PolicyInput & { type: string; blob: string }): Promise<PolicyRow> {
  const row: PolicyRow = { id: newHexId(), type: input.type, blob: input.blob, extra: JSON.stringify(input.extra ?? {}) };
  await deps.db.insertInto('policy').values(row).execute();
  deps.changes.bump();
  return row;
}

export async function updatePolicy(deps: IdentityWriteDeps, id: string, input: PolicyInput): Promise<PolicyRow> {
  const current = await getPolicy(deps.db, id);
  const changes: Partial<PolicyRow> = {};
  if (input.type !== undefined) changes.type = input.type;
  if (input.blob !== undefined) changes.blob = input.blob;
  if (input.extra && Object.keys(input.extra).length > 0) changes.extra = JSON.stringify({ ...JSON.parse(current.extra), ...input.extra });
  if (Object.keys(changes).length > 0) await deps.db.updateTable('policy').set(changes).where('id', '=', id).execute();
  deps.changes.bump();
  return getPolicy(deps.db, id);
}

export async function deletePolicy(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getPolicy(deps.db, id);
  await deps.db.deleteFrom('policy').where('id', '=', id).execute();
  deps.changes.bump();
}

export async function listPolicies(db: Db, type: string | undefined): Promise<PolicyRow[]> {
  let q = db.selectFrom('policy').selectAll().orderBy('type').orderBy('id');
  if (type !== undefined) q = q.where('type', '=', type);
  return q.execute();
}

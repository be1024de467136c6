// Stored credentials (/v3/credentials and OS-EC2). An ec2 credential's id is the SHA-256 of its
// access key, so the EC2 API can find it from the key alone; its blob must be a JSON object with
// an `access` member.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { badRequest, conflict, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { CredentialRow, IdentityDb } from '../db/schema.js';
import type { IdentityWriteDeps } from './write-deps.js';

export interface CredentialInput {
  type?: string;
  blob?: string;
  user_id?: string;
  project_id?: string | null;
  extra?: Record<string, unknown>;
}

type Db = Kysely<IdentityDb>;

const TAIL = 'The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.';

export const isEc2 = (type: string | undefined): boolean => type?.toLowerCase() === 'ec2';

export function hashAccessKey(access: string): string {
  return createHash('sha256').update(access, 'utf8').digest('hex');
}

/** Keystone's _validate_blob_json. */
export function ec2Blob(blob: string | undefined): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(blob ?? '');
  } catch {
    throw badRequest('Invalid blob in credential');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    throw badRequest(`Expecting to find blob in credential. ${TAIL}`);
  }
  const obj = parsed as Record<string, unknown>;
  if (obj.access === undefined || obj.access === null) throw badRequest(`Expecting to find access in credential. ${TAIL}`);
  return obj;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function findCredential(db: Db, id: string): Promise<CredentialRow | undefined> {
  return db.selectFrom('credential').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getCredential(db: Db, id: string): Promise<CredentialRow> {
  const row = await findCredential(db, id);
  if (!row) throw notFound(`Could not find credential: ${id}.`);
  return row;
}

/** `appCredId`: an ec2 credential made with an application-credential token stays bound to it. */
export async function createCredential(deps: IdentityWriteDeps, input: CredentialInput & { type: string; blob: string; user_id: string }, appCredId?: string): Promise<CredentialRow> {
  let { blob } = input;
  let id = newHexId();
  if (isEc2(input.type)) {
    if (!input.project_id) throw badRequest(`Invalid input for field 'credential': 'project_id' is a required property for an ec2 credential.`);
    const parsed = ec2Blob(blob);
    id = hashAccessKey(String(parsed.access));
    if (appCredId) blob = JSON.stringify({ ...parsed, app_cred_id: appCredId });
  }
  const row: CredentialRow = {
    id, user_id: input.user_id, project_id: input.project_id ?? null, type: input.type, blob, extra: JSON.stringify(input.extra ?? {}),
  };
  try {
    await deps.db.insertInto('credential').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Conflict occurred attempting to store credential - Duplicate entry found with ID ${id}.`);
    throw err;
  }
  deps.changes.bump();
  return row;
}

/** What an update would make of the row, before it is written (policy checks the result). */
export function mergeCredential(current: CredentialRow, input: CredentialInput): CredentialRow {
  if (isEc2(current.type) && input.blob !== undefined) {
    const before = parseObject(current.blob);
    const after = ec2Blob(input.blob);
    // A credential bound to a trust or application credential must stay bound to it.
    for (const key of ['trust_id', 'app_cred_id', 'access_token_id', 'access_id']) {
      if ((before[key] ?? null) !== (after[key] ?? null)) throw badRequest(`${key} can not be updated for credential`);
    }
  }
  return {
    ...current,
    ...(input.type !== undefined ? { type: input.type } : {}),
    ...(input.blob !== undefined ? { blob: input.blob } : {}),
    ...(input.user_id !== undefined ? { user_id: input.user_id } : {}),
    ...(input.project_id !== undefined ? { project_id: input.project_id } : {}),
    ...(input.extra && Object.keys(input.extra).length > 0 ? { extra: JSON.stringify({ ...JSON.parse(current.extra), ...input.extra }) } : {}),
  };
}

export async function saveCredential(deps: IdentityWriteDeps, row: CredentialRow): Promise<CredentialRow> {
  const { id, ...changes } = row;
  await deps.db.updateTable('credential').set(changes).where('id', '=', id).execute();
  deps.changes.bump();
  return getCredential(deps.db, id);
}

export async function deleteCredential(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getCredential(deps.db, id);
  await deps.db.deleteFrom('credential').where('id', '=', id).execute();
  deps.changes.bump();
}

export async function listCredentials(db: Db, filters: { user_id?: string; type?: string }): Promise<CredentialRow[]> {
  let q = db.selectFrom('credential').selectAll().orderBy('id');
  if (filters.user_id !== undefined) q = q.where('user_id', '=', filters.user_id);
  if (filters.type !== undefined) q = q.where('type', '=', filters.type);
  return q.execute();
}

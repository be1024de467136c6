// Key pairs (nova/compute/api.py KeypairAPI, nova/objects/keypair.py): owned by a user (not a
// project), unique by (user, name), listed in creation order with the name as the page marker.
// Importing computes the fingerprint (and so checks the key); creating without a key generates
// one (ssh: RSA; x509: a self-signed client certificate) and returns its private part once.
// The key_pairs quota is per user, with the limits of the caller's project.
import type { Kysely } from 'kysely';
import type { ComputeConfig } from '../config.js';
import type { ComputeDb, KeyPairRow } from '../db/schema.js';
import { inTransaction, nextId, nowIso } from '../db/transaction.js';
import { invalidKeypair, keypairExists, keypairLimitExceeded, keypairNotFound, markerNotFound } from './errors.js';
import { keyPairCount, userLimits } from './quotas.js';
import { generateSshKeyPair, sshFingerprint } from './ssh-keys.js';
import { generateX509KeyPair, x509Fingerprint } from './x509-keys.js';

type Db = Kysely<ComputeDb>;

export type KeyPairType = 'ssh' | 'x509';

export async function listKeyPairs(db: Db, userId: string, limit: number | undefined, marker: string | undefined): Promise<KeyPairRow[]> {
  let query = db.selectFrom('nova_key_pair').selectAll().where('user_id', '=', userId).orderBy('id');
  if (marker !== undefined) {
    const row = await db.selectFrom('nova_key_pair').select('id').where('user_id', '=', userId).where('name', '=', marker).executeTakeFirst();
    if (row === undefined) throw markerNotFound(marker);
    query = query.where('id', '>', row.id);
  }
  if (limit !== undefined) query = query.limit(limit);
  return query.execute();
}

export async function getKeyPair(db: Db, userId: string, name: string): Promise<KeyPairRow> {
  const row = await db.selectFrom('nova_key_pair').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw keypairNotFound(name, userId);
  return row;
}

export async function deleteKeyPair(db: Db, userId: string, name: string): Promise<KeyPairRow> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('nova_key_pair').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    if (row === undefined) throw keypairNotFound(name, userId);
    await trx.deleteFrom('nova_key_pair').where('id', '=', row.id).execute();
    return row;
  });
}

export interface NewKeyPair {
  /** The project whose key_pairs limit applies (the caller's). */
  readonly projectId: string;
  readonly userId: string;
  readonly name: string;
  readonly type: KeyPairType;
  /** Import this key; absent: generate one. */
  readonly publicKey?: string;
}

function fingerprintOf(type: KeyPairType, publicKey: string): string {
  if (type === 'ssh') {
    const fingerprint = sshFingerprint(publicKey);
    if (fingerprint === undefined) throw invalidKeypair('failed to generate fingerprint');
    return fingerprint;
  }
  const result = x509Fingerprint(publicKey);
  if ('error' in result) throw invalidKeypair(`failed to generate X509 fingerprint. Error message: ${result.error}`);
  return result.fingerprint;
}

async function checkQuota(db: Db, compute: ComputeConfig, projectId: string, userId: string): Promise<void> {
  const limit = (await userLimits(db, compute, projectId, userId)).key_pairs ?? -1;
  if (limit >= 0 && (await keyPairCount(db, userId)) + 1 > limit) throw keypairLimitExceeded();
}

/** Imports or generates a key pair; `privateKey` is set only when one was generated. */
export async function createKeyPair(db: Db, compute: ComputeConfig, input: NewKeyPair): Promise<{ row: KeyPairRow; privateKey?: string }> {
  await checkQuota(db, compute, input.projectId, input.userId);
  let publicKey: string;
  let fingerprint: string;
  let privateKey: string | undefined;
  if (input.publicKey !== undefined) {
    publicKey = input.publicKey;
    fingerprint = fingerprintOf(input.type, publicKey);
  } else if (input.type === 'ssh') {
    const generated = await generateSshKeyPair();
    ({ publicKey, fingerprint, privateKey } = generated);
  } else {
    const generated = await generateX509KeyPair(input.userId);
    if (generated === undefined) throw invalidKeypair('failed to generate X509 certificate: the user id cannot be a certificate subject');
    ({ certificate: publicKey, fingerprint, privateKey } = generated);
  }
  const row = await inTransaction(db, async (trx) => {
    const exists = await trx.selectFrom('nova_key_pair').select('id').where('user_id', '=', input.userId).where('name', '=', input.name).executeTakeFirst();
    if (exists) throw keypairExists(input.name);
    await checkQuota(trx, compute, input.projectId, input.userId);
    const now = nowIso();
    const created: KeyPairRow = {
      id: await nextId(trx, 'nova_key_pair'),
      user_id: input.userId,
      name: input.name,
      fingerprint,
      public_key: publicKey,
      type: input.type,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('nova_key_pair').values(created).execute();
    return created;
  });
  return privateKey === undefined ? { row } : { row, privateKey };
}

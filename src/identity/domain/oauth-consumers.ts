// OAuth1 consumers (OS-OAUTH1): a registered client with a secret shown only when created.
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import type { IdentityDb, OAuthConsumerRow } from '../db/schema.js';
import type { IdentityWriteDeps } from './write-deps.js';

export interface ConsumerInput { description?: string | null; extra?: Record<string, unknown> }

type Db = Kysely<IdentityDb>;

export async function getConsumer(db: Db, id: string): Promise<OAuthConsumerRow> {
  const row = await db.selectFrom('oauth_consumer').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Consumer not found');
  return row;
}

export async function createConsumer(deps: IdentityWriteDeps, input: ConsumerInput): Promise<OAuthConsumerRow> {
  const row: OAuthConsumerRow = {
    id: newHexId(), description: input.description ?? null, secret: randomUUID().replace(/-/g, ''), extra: JSON.stringify(input.extra ?? {}),
  };
  await deps.db.insertInto('oauth_consumer').values(row).execute();
  deps.changes.bump();
  return row;
}

export async function updateConsumer(deps: IdentityWriteDeps, id: string, input: ConsumerInput): Promise<OAuthConsumerRow> {
  const current = await getConsumer(deps.db, id);
  const changes: Partial<OAuthConsumerRow> = {};
  if (input.description !== undefined) changes.description = input.description;
  if (input.extra && Object.keys(input.extra).length > 0) changes.extra = JSON.stringify({ ...JSON.parse(current.extra), ...input.extra });
  if (Object.keys(changes).length > 0) await deps.db.updateTable('oauth_consumer').set(changes).where('id', '=', id).execute();
  deps.changes.bump();
  return getConsumer(deps.db, id);
}

export async function deleteConsumer(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getConsumer(deps.db, id);
  await deps.db.deleteFrom('oauth_consumer').where('id', '=', id).execute();
  deps.changes.bump();
}

export async function listConsumers(db: Db): Promise<OAuthConsumerRow[]> {
  return db.selectFrom('oauth_consumer').selectAll().orderBy('id').execute();
}

// Every compute write runs through inTransaction(). On SQLite the single connection serialises
// transactions; on PostgreSQL the loser of a race on a guarded key (a flavor name, a key pair
// name, a max+1 integer id) hits a unique violation and the whole transaction runs again: its
// checks now see the winner's row and answer properly (a 409), so a race never becomes a 500.
import { sql, type Kysely, type Transaction } from 'kysely';
import { retryingTransaction } from '../../db/retrying-transaction.js';
import type { ComputeDb } from './schema.js';

export type ComputeTx = Transaction<ComputeDb>;

export function inTransaction<T>(db: Kysely<ComputeDb>, work: (trx: ComputeTx) => Promise<T>): Promise<T> {
  return retryingTransaction(db, work);
}

/** Tables whose integer `id` is allocated by nextId(). */
export type IdTable = 'nova_flavor' | 'nova_key_pair' | 'nova_instance' | 'nova_instance_fault' | 'nova_instance_action'
  | 'nova_instance_action_event' | 'nova_block_device_mapping' | 'nova_service' | 'nova_compute_node' | 'nova_aggregate'
  | 'nova_server_group' | 'nova_migration';

/** The next integer id of a table (max + 1), inside the inserting transaction. */
export async function nextId(trx: Kysely<ComputeDb>, table: IdTable): Promise<number> {
  const row = await trx.selectFrom(table).select(sql<number | string | null>`max(id)`.as('max')).executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

/** Timestamps as Nova stores and shows them: ISO seconds with a Z. */
export function nowIso(): string {
  return isoSeconds(new Date());
}

/** A time as the rows hold it ("…T12:06:13Z"), for storing or for comparing against in SQL. */
export function isoSeconds(date: Date | number): string {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

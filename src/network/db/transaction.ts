// Every network write runs through inTransaction(). On SQLite the single connection serialises
// transactions; on PostgreSQL two transactions can race, and the loser of a race on a guarded key
// (an IP address, a VNI, a MAC, a default security group) hits a unique violation. The whole
// transaction is then retried: its own checks run again, see the winner's row and either choose
// another value or report the conflict properly (409), so a race never surfaces as a 500.
import type { Kysely, Transaction } from 'kysely';
import { retryingTransaction } from '../../db/retrying-transaction.js';
import type { NetworkDb } from './schema.js';

export type NetworkTx = Transaction<NetworkDb>;

export function inTransaction<T>(db: Kysely<NetworkDb>, work: (trx: NetworkTx) => Promise<T>): Promise<T> {
  return retryingTransaction(db, work);
}

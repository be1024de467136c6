// Every network write runs through inTransaction(). On SQLite the single connection serialises
// transactions; on PostgreSQL two transactions can race, and the loser of a race on a guarded key
// (an IP address, a VNI, a MAC, a default security group) hits a unique violation. The whole
// transaction is then retried: its own checks run again, see the winner's row and either choose
// another value or report the conflict properly (409), so a race never surfaces as a 500.
import type { Kysely, Transaction } from 'kysely';
import { isUniqueViolation } from '../../db/errors.js';
import type { NetworkDb } from './schema.js';

export type NetworkTx = Transaction<NetworkDb>;

const MAX_ATTEMPTS = 12;

function isRetriable(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  // 40001 serialization_failure, 40P01 deadlock_detected (PostgreSQL).
  return isUniqueViolation(err) || code === '40001' || code === '40P01';
}

export async function inTransaction<T>(db: Kysely<NetworkDb>, work: (trx: NetworkTx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetriable(err)) throw err;
      // A short random pause lets the winner commit before we look again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

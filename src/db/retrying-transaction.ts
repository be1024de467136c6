// Runs a unit of work in a transaction and runs it again, whole, when it lost a race. On SQLite
// the single connection serialises transactions; on PostgreSQL the loser of a race on a guarded
// key hits a unique violation (or a serialization failure / deadlock) and the retry's own checks
// then see the winner's row and answer properly (a 409 or another value), so a race never
// surfaces as a 500. Every service's inTransaction() is this with its own database type.
import type { Kysely, Transaction } from 'kysely';
import { isUniqueViolation } from './errors.js';

export const MAX_TRANSACTION_ATTEMPTS = 12;

/** A lost race: unique violation, 40001 serialization_failure, 40P01 deadlock_detected. */
export function isLostRace(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return isUniqueViolation(err) || code === '40001' || code === '40P01';
}

export async function retryingTransaction<DB, T>(
  db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>,
  retriable: (err: unknown) => boolean = isLostRace,
  onExhausted?: (err: unknown) => Error,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      if (!retriable(err)) throw err;
      if (attempt >= MAX_TRANSACTION_ATTEMPTS) throw onExhausted ? onExhausted(err) : err;
      // A short random pause lets the winner commit before we look again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

// Every placement write runs through inTransaction(). Each write ends by bumping the generation
// of every provider (and consumer) it touched with a compare-and-swap UPDATE; when that UPDATE
// finds the generation already moved, another writer committed first and GenerationRace is
// thrown. The whole transaction is then retried, like a lost race on a unique key or a
// PostgreSQL serialization failure: the retry re-reads usage and generations and either succeeds
// or reports the conflict properly (409), so a race never surfaces as a 500 or an over-commit.
import type { Kysely, Transaction } from 'kysely';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import type { PlacementDb } from './schema.js';

export type PlacementTx = Transaction<PlacementDb>;

/** A compare-and-swap on a generation lost to a concurrent writer: retry the transaction. */
export class GenerationRace extends Error {
  constructor(readonly what: string) {
    super(`concurrent update of ${what}`);
    this.name = 'GenerationRace';
  }
}

export const MAX_ATTEMPTS = 12;

export function isRetriable(err: unknown): boolean {
  if (err instanceof GenerationRace) return true;
  const code = (err as { code?: string }).code;
  // 40001 serialization_failure, 40P01 deadlock_detected (PostgreSQL); SQLITE_BUSY under WAL.
  // A foreign key violation means a row we checked vanished (or a child appeared) meanwhile.
  return isUniqueViolation(err) || isForeignKeyViolation(err) || code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
}

/**
 * Runs `work` in a transaction, retrying it whole on a lost race. `onExhausted` maps the last
 * race to the error the caller should see (placement's 409 concurrent_update).
 */
export async function inTransaction<T>(
  db: Kysely<PlacementDb>, work: (trx: PlacementTx) => Promise<T>, onExhausted?: (err: unknown) => Error,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      if (!isRetriable(err)) throw err;
      if (attempt >= MAX_ATTEMPTS) throw onExhausted ? onExhausted(err) : err;
      // A short random pause lets the winner commit before we look again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

// Every placement write runs through inTransaction(). Each write ends by bumping the generation
// of every provider (and consumer) it touched with a compare-and-swap UPDATE; when that UPDATE
// finds the generation already moved, another writer committed first and GenerationRace is
// thrown. The whole transaction is then retried, like a lost race on a unique key or a
// PostgreSQL serialization failure: the retry re-reads usage and generations and either succeeds
// or reports the conflict properly (409), so a race never surfaces as a 500 or an over-commit.
import type { Kysely, Transaction } from 'kysely';
import { isForeignKeyViolation } from '../../db/errors.js';
import { isLostRace, retryingTransaction } from '../../db/retrying-transaction.js';
import type { PlacementDb } from './schema.js';

export type PlacementTx = Transaction<PlacementDb>;

/** A compare-and-swap on a generation lost to a concurrent writer: retry the transaction. */
export class GenerationRace extends Error {
  constructor(readonly what: string) {
    super(`concurrent update of ${what}`);
    this.name = 'GenerationRace';
  }
}


export function isRetriable(err: unknown): boolean {
  if (err instanceof GenerationRace) return true;
  // SQLITE_BUSY under WAL; a foreign key violation means a row we checked vanished (or a child
  // appeared) meanwhile.
  return isLostRace(err) || isForeignKeyViolation(err) || (err as { code?: string }).code === 'SQLITE_BUSY';
}

/**
 * Runs `work` in a transaction, retrying it whole on a lost race. `onExhausted` maps the last
 * race to the error the caller should see (placement's 409 concurrent_update).
 */
export function inTransaction<T>(
  db: Kysely<PlacementDb>, work: (trx: PlacementTx) => Promise<T>, onExhausted?: (err: unknown) => Error,
): Promise<T> {
  return retryingTransaction(db, work, isRetriable, onExhausted);
}

// What domain writes for groups, roles and grants need: the database, the revocation list (for
// writes Keystone answers by revoking tokens) and the change counter that ends cached validations.
import type { Kysely } from 'kysely';
import type { IdentityDb } from '../db/schema.js';
import type { ChangeCounter } from './change-counter.js';
import type { RevocationList } from './revocation.js';

export interface IdentityWriteDeps {
  readonly db: Kysely<IdentityDb>;
  readonly revocations: RevocationList;
  readonly changes: ChangeCounter;
}

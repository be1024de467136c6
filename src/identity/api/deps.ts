// Everything identity route handlers need, built once by the service bootstrap.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import type { Bus } from '../../bus/index.js';
import type { IdentityDb } from '../db/schema.js';
import type { CatalogCache } from '../domain/catalog.js';
import type { ChangeCounter } from '../domain/change-counter.js';
import type { PasswordHasher } from '../domain/password-hasher.js';
import type { RevocationList } from '../domain/revocation.js';
import type { TokenService } from '../domain/token-service.js';
import type { Enforcer } from '../../core/policy/index.js';

export interface IdentityDeps {
  readonly config: NimbusConfig;
  readonly db: Kysely<IdentityDb>;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenService;
  readonly revocations: RevocationList;
  readonly changes: ChangeCounter;
  readonly catalog: CatalogCache;
  readonly policy: Enforcer;
  readonly bus: Bus | undefined;
}

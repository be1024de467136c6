// Wires the identity service together: database, keys, hasher, policy, routes.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../core/config.js';
import { keystoneFault } from '../core/faults.js';
import { createApiServer } from '../core/http/server.js';
import type { Logger } from '../core/logger.js';
import type { Bus } from '../bus/index.js';
import { migrateToLatest } from '../db/migrate.js';
import type { IdentityDb } from './db/schema.js';
import { identityMigrations } from './db/migrations/index.js';
import { CatalogCache } from './domain/catalog.js';
import { ChangeCounter } from './domain/change-counter.js';
import { KeyRepository } from './domain/key-repository.js';
import { PasswordHasher } from './domain/password-hasher.js';
import { RevocationList } from './domain/revocation.js';
import { TokenService } from './domain/token-service.js';
import type { IdentityDeps } from './api/deps.js';
import { registerIdentityRoutes } from './api/routes.js';
import { createIdentityEnforcer } from './policy.js';

export interface IdentityService {
  readonly app: FastifyInstance;
  readonly deps: IdentityDeps;
}

export function keyRepository(config: NimbusConfig): KeyRepository {
  return new KeyRepository(join(config.dataDir, 'fernet-keys'), config.identity.maxActiveKeys);
}

export async function migrateIdentity(db: Kysely<IdentityDb>): Promise<void> {
  await migrateToLatest(db, 'identity', identityMigrations);
}

export function buildIdentityDeps(config: NimbusConfig, db: Kysely<IdentityDb>, bus: Bus | undefined): IdentityDeps {
  const keys = keyRepository(config);
  keys.setup();
  const changes = new ChangeCounter();
  const revocations = new RevocationList(db, config.identity.tokenExpirationSeconds * 1000);
  return {
    config,
    db,
    hasher: new PasswordHasher(config.identity.passwordHash),
    tokens: new TokenService(db, keys, revocations, changes, config.identity.tokenCacheSeconds * 1000),
    revocations,
    changes,
    catalog: new CatalogCache(db, changes),
    policy: createIdentityEnforcer(config.identity),
    bus,
  };
}

export function createIdentityService(deps: IdentityDeps, logger: Logger): IdentityService {
  // Keystone's default max_request_body_size.
  const app = createApiServer({ service: 'identity', fault: keystoneFault, logger, tokens: deps.tokens, bodyLimit: 114688 });
  registerIdentityRoutes(app, deps);
  return { app, deps };
}

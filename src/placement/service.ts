// Wires the placement service together: database, policy, routes.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { TokenValidator } from '../core/http/auth-context.js';
import { createApiServer } from '../core/http/server.js';
import { migrateToLatest } from '../db/migrate.js';
import type { PlacementDb } from './db/schema.js';
import { placementMigrations } from './db/migrations/index.js';
import type { PlacementDeps } from './api/deps.js';
import { placementFault } from './api/fault.js';
import { installPlacementHooks } from './api/http.js';
import { registerPlacementRoutes } from './api/routes.js';
import { syncStandards } from './domain/store.js';
import { createPlacementEnforcer } from './policy.js';

/** placement-api's bodies are small; a POST /allocations for many consumers stays well below. */
const JSON_BODY_LIMIT = 1024 * 1024;

/** Migrates the placement tables and adds any standard resource class or trait not yet known. */
export async function migratePlacement(db: Kysely<PlacementDb>): Promise<void> {
  await migrateToLatest(db, 'placement', placementMigrations);
  await syncStandards(db);
}

export function buildPlacementDeps(config: NimbusConfig, db: Kysely<PlacementDb>): PlacementDeps {
  return { config, db, policy: createPlacementEnforcer(config) };
}

export function createPlacementService(deps: PlacementDeps, tokens: TokenValidator, logger: Logger): { app: FastifyInstance } {
  const app = createApiServer({ service: 'placement', fault: placementFault, logger, tokens, bodyLimit: JSON_BODY_LIMIT });
  installPlacementHooks(app);
  registerPlacementRoutes(app, deps);
  return { app };
}

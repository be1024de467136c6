// Wires the image service together: database, data store, policy, routes.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from '../core/logger.js';
import type { TokenValidator } from '../core/http/auth-context.js';
import { createApiServer } from '../core/http/server.js';
import { keystoneFault } from '../core/faults.js';
import { migrateToLatest } from '../db/migrate.js';
import type { ImageDb } from './db/schema.js';
import { imageMigrations } from './db/migrations/index.js';
import type { ImageDeps } from './api/deps.js';
import { registerImageRoutes } from './api/routes.js';

export async function migrateImage(db: Kysely<ImageDb>): Promise<void> {
  await migrateToLatest(db, 'image', imageMigrations);
}

export function createImageService(deps: ImageDeps, tokens: TokenValidator, logger: Logger): { app: FastifyInstance } {
  // Uploads stream through their own parser; JSON bodies stay small.
  const app = createApiServer({ service: 'image', fault: keystoneFault, logger, tokens, bodyLimit: 65536 });
  registerImageRoutes(app, deps);
  return { app };
}

// Wires the image service together: database, data store, policy, routes.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { TokenValidator } from '../core/http/auth-context.js';
import { createApiServer } from '../core/http/server.js';
import { glanceFault } from '../core/faults.js';
import { Enforcer, glanceDefaults } from '../core/policy/index.js';
import type { Bus } from '../bus/index.js';
import { migrateToLatest } from '../db/migrate.js';
import type { ImageDb } from './db/schema.js';
import { imageMigrations } from './db/migrations/index.js';
import type { ImageDeps } from './api/deps.js';
import { registerImageContentTypes, refuseTrailingSlashes } from './api/content-types.js';
import { registerImageRoutes } from './api/routes.js';
import { recoverImageData, type RecoveryReport } from './domain/recovery.js';
import { FilesystemImageStore } from './store/filesystem-store.js';
import type { ImageDataStore } from './store/image-data-store.js';

/** Glance's max_request_body_size for JSON bodies; image data streams past it. */
const JSON_BODY_LIMIT = 65536;

export async function migrateImage(db: Kysely<ImageDb>): Promise<void> {
  await migrateToLatest(db, 'image', imageMigrations);
}

/** Glance's policy defaults; scope enforcement follows the cloud-wide identity switch. */
export function createImageEnforcer(config: NimbusConfig): Enforcer {
  return new Enforcer(glanceDefaults, { enforceScope: config.identity.enforceScope });
}

/** The filesystem store under `<dataDir>/images`. */
export function createImageStore(config: NimbusConfig): ImageDataStore {
  return new FilesystemImageStore(join(config.dataDir, 'images'));
}

export function buildImageDeps(config: NimbusConfig, db: Kysely<ImageDb>, bus: Bus | undefined, store: ImageDataStore = createImageStore(config)): ImageDeps {
  return { config, db, store, policy: createImageEnforcer(config), bus };
}

/**
 * Start-up, before listening: opens the store (sweeping temporary files) and returns images a
 * crash caught mid-transfer to a retryable state, deleting bytes no image owns.
 */
export async function prepareImageService(deps: ImageDeps): Promise<RecoveryReport> {
  return recoverImageData(deps);
}

export function createImageService(deps: ImageDeps, tokens: TokenValidator, logger: Logger): { app: FastifyInstance } {
  const app = createApiServer({ service: 'image', fault: glanceFault, logger, tokens, bodyLimit: JSON_BODY_LIMIT });
  registerImageContentTypes(app, JSON_BODY_LIMIT);
  refuseTrailingSlashes(app);
  registerImageRoutes(app, deps);
  return { app };
}

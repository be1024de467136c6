// Wires the network service together: database, ML2, policy, routes.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { TokenValidator } from '../core/http/auth-context.js';
import { createApiServer } from '../core/http/server.js';
import { neutronFault } from '../core/faults.js';
import type { Bus } from '../bus/index.js';
import { migrateToLatest } from '../db/migrate.js';
import type { NetworkDb } from './db/schema.js';
import { networkMigrations } from './db/migrations/index.js';
import type { NetworkDeps } from './api/deps.js';
import { registerNetworkRoutes } from './api/routes.js';
import { createMl2 } from './ml2/ml2.js';
import { createNetworkEnforcer } from './policy/index.js';
import { defaultNovaNotifier, type NovaNotifier } from './nova-notifier.js';

/** neutron-server's default max_request_body_size is larger, but no network body needs more. */
const JSON_BODY_LIMIT = 1024 * 1024;

export async function migrateNetwork(db: Kysely<NetworkDb>): Promise<void> {
  await migrateToLatest(db, 'network', networkMigrations);
}

export function buildNetworkDeps(config: NimbusConfig, db: Kysely<NetworkDb>, bus: Bus | undefined,
  novaNotifier: NovaNotifier | undefined = defaultNovaNotifier(config, db)): NetworkDeps {
  return { config, db, bus, policy: createNetworkEnforcer(config), ml2: createMl2(config), novaNotifier };
}

export function createNetworkService(deps: NetworkDeps, tokens: TokenValidator, logger: Logger): { app: FastifyInstance } {
  const app = createApiServer({ service: 'network', fault: neutronFault, logger, tokens, bodyLimit: JSON_BODY_LIMIT, acceptJsonSuffix: true, jsonWithoutContentType: true });
  registerNetworkRoutes(app, deps);
  return { app };
}

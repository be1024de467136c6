// Wires the compute service together: database, policy, microversions, routes.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { TokenValidator } from '../core/http/auth-context.js';
import { createApiServer } from '../core/http/server.js';
import type { Bus } from '../bus/index.js';
import { migrateToLatest } from '../db/migrate.js';
import { computeConfigOf, type ComputeConfig } from './config.js';
import type { ComputeDb } from './db/schema.js';
import { computeMigrations } from './db/migrations/index.js';
import type { ComputeDeps } from './api/deps.js';
import { computeClients, type ComputeClients } from './clients.js';
import { computeFault } from './api/faults.js';
import { registerMicroversions, versionRange } from './api/microversion.js';
import { API_PREFIX } from './api/router.js';
import { registerComputeRoutes } from './api/routes.js';
import { createComputeEnforcer } from './policy/index.js';
import { httpProjectVerifier, type ProjectVerifier } from './domain/projects.js';

/** oslo.middleware's max_request_body_size default, which Nova's API pipeline applies. */
const JSON_BODY_LIMIT = 114688;

export async function migrateCompute(db: Kysely<ComputeDb>): Promise<void> {
  await migrateToLatest(db, 'compute', computeMigrations);
}

export interface ComputeDepsOptions {
  /** The compute settings (default: config.compute, or the defaults). */
  readonly compute?: ComputeConfig;
  /** How project ids are checked (default: the identity API at publicHost:identity.port). */
  readonly projects?: ProjectVerifier;
  /** How the other services are reached (default: the configured endpoints, admin credentials). */
  readonly clients?: ComputeClients;
}

export function buildComputeDeps(config: NimbusConfig, db: Kysely<ComputeDb>, bus: Bus | undefined, options: ComputeDepsOptions = {}): ComputeDeps {
  const compute = options.compute ?? computeConfigOf(config);
  return {
    config,
    compute,
    db,
    bus,
    policy: createComputeEnforcer(config, compute),
    projects: options.projects ?? httpProjectVerifier(`http://${config.publicHost}:${config.identity.port}/v3`),
    clients: options.clients ?? computeClients(config),
    versions: versionRange('2.1', compute.maxMicroversion),
  };
}

const versioned = (path: string): boolean => path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);

export function createComputeService(deps: ComputeDeps, tokens: TokenValidator, logger: Logger): { app: FastifyInstance } {
  const app = createApiServer({ service: 'compute', fault: computeFault, logger, tokens, bodyLimit: JSON_BODY_LIMIT, jsonWithoutContentType: true });
  registerMicroversions(app, deps.versions, versioned);
  // Nova answers with its request id under both names; clients (Tempest) read x-compute-request-id.
  app.addHook('onSend', async (request, reply) => { reply.header('x-compute-request-id', request.id); });
  registerComputeRoutes(app, deps);
  return { app };
}

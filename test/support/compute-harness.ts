// A real compute API on the identity harness's database, authenticated by real identity tokens,
// driven through inject(). Project ids are checked against that identity service (as Nova asks
// Keystone). Two ordinary projects (alice, bob) each get a member user; tenant() makes more.
// SQLite by default; PostgreSQL when NIMBUS_TEST_DATABASE_URL is set.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { createLogger } from '../../src/core/logger.js';
import type { Bus } from '../../src/bus/index.js';
import { parseComputeConfig } from '../../src/compute/config.js';
import type { ComputeDb } from '../../src/compute/db/schema.js';
import type { ComputeDeps } from '../../src/compute/api/deps.js';
import type { ComputeClients } from '../../src/compute/clients.js';
import type { ProjectVerifier } from '../../src/compute/domain/projects.js';
import { buildComputeDeps, createComputeService, migrateCompute } from '../../src/compute/service.js';
import { makeTenant, type Tenant } from './tenant.js';
import { startIdentity, type Harness } from './identity-harness.js';

export type { Tenant };

export interface ComputeRequestOptions {
  readonly body?: unknown;
  /** Raw payload sent as is (with contentType), for malformed-body tests. */
  readonly payload?: string;
  readonly contentType?: string;
  /** Defaults to the admin's token; null sends none. */
  readonly token?: string | null;
  /** A microversion, sent as `OpenStack-API-Version: compute <version>`. */
  readonly version?: string;
  readonly headers?: Record<string, string>;
}

export interface ComputeHarness {
  readonly identity: Harness;
  readonly app: FastifyInstance;
  readonly deps: ComputeDeps;
  readonly db: Kysely<ComputeDb>;
  readonly adminToken: string;
  readonly adminProjectId: string;
  readonly adminUserId: string;
  readonly alice: Tenant;
  readonly bob: Tenant;
  request(method: string, url: string, options?: ComputeRequestOptions): Promise<LightMyRequestResponse>;
  /** POST /v2.1/flavors as admin, insisting on 200; returns the flavor. */
  createFlavor(flavor: Record<string, unknown>, version?: string): Promise<Record<string, any>>;
  /** A fresh project with a user holding `role` there. */
  tenant(role?: string): Promise<Tenant>;
  close(): Promise<void>;
}

/** Asks the harness's identity service, in process, whether a project exists. */
function injectedProjectVerifier(identity: Harness): ProjectVerifier {
  return {
    async exists(projectId, token) {
      const res = await identity.app.inject({ method: 'GET', url: `/v3/projects/${encodeURIComponent(projectId)}`, headers: { 'x-auth-token': token } });
      if (res.statusCode === 200) return true;
      return res.statusCode === 404 ? false : undefined;
    },
  };
}

export interface StartComputeOptions {
  readonly compute?: Record<string, unknown>;
  /** Overrides for the identity harness this starts (ignored with identityHarness). */
  readonly identity?: Record<string, unknown>;
  readonly bus?: Bus;
  /** An identity harness already running (other services share it); closed by close(). */
  readonly identityHarness?: Harness;
  /** How the compute service reaches image/network/placement (default: the configured endpoints). */
  readonly clients?: ComputeClients;
}

export async function startCompute(options: StartComputeOptions = {}): Promise<ComputeHarness> {
  const identity = options.identityHarness ?? await startIdentity(options.identity ?? {});
  const db = identity.deps.db as unknown as Kysely<ComputeDb>;
  await migrateCompute(db);
  const deps = buildComputeDeps(identity.config, db, options.bus, {
    compute: parseComputeConfig(options.compute ?? {}),
    projects: injectedProjectVerifier(identity),
    ...(options.clients !== undefined ? { clients: options.clients } : {}),
  });
  const { app } = createComputeService(deps, identity.deps.tokens, createLogger('silent'));
  await app.ready();

  const tenant = (role = 'member'): Promise<Tenant> => makeTenant(identity, role);

  const request: ComputeHarness['request'] = (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== null) headers['x-auth-token'] = opts.token ?? identity.adminToken;
    if (opts.version !== undefined) headers['openstack-api-version'] = `compute ${opts.version}`;
    let payload: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      payload = JSON.stringify(opts.body);
    } else if (opts.payload !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      payload = opts.payload;
    }
    return app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
  };

  return {
    identity, app, deps, db,
    adminToken: identity.adminToken, adminProjectId: identity.adminProjectId, adminUserId: identity.adminUserId,
    alice: await tenant(), bob: await tenant(),
    request,
    async createFlavor(flavor, version) {
      const res = await request('POST', '/v2.1/flavors', { body: { flavor }, ...(version !== undefined ? { version } : {}) });
      if (res.statusCode !== 200) throw new Error(`create flavor failed: ${res.statusCode} ${res.body}`);
      return (res.json() as { flavor: Record<string, any> }).flavor;
    },
    tenant,
    async close() {
      await app.close();
      await identity.close();
    },
  };
}

// A real network service on the identity harness's database, authenticated by real identity
// tokens, driven through inject(). Two ordinary projects (alice, bob) each get a member user;
// tenant() makes more. SQLite by default; PostgreSQL when NIMBUS_TEST_DATABASE_URL is set.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { createLogger } from '../../src/core/logger.js';
import type { NetworkDb } from '../../src/network/db/schema.js';
import type { Bus } from '../../src/bus/index.js';
import type { NetworkDeps } from '../../src/network/api/deps.js';
import { buildNetworkDeps, createNetworkService, migrateNetwork } from '../../src/network/service.js';
import { makeTenant, type Tenant } from './tenant.js';
import { startIdentity, type Harness } from './identity-harness.js';

export type { Tenant };

export interface NetRequestOptions {
  readonly body?: unknown;
  /** Raw payload sent as is (with contentType), for malformed-body tests. */
  readonly payload?: string;
  readonly contentType?: string;
  /** Defaults to the admin's token; null sends none. */
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
}

export interface NetworkHarness {
  readonly identity: Harness;
  readonly app: FastifyInstance;
  readonly deps: NetworkDeps;
  readonly db: Kysely<NetworkDb>;
  readonly adminToken: string;
  readonly adminProjectId: string;
  readonly alice: Tenant;
  readonly bob: Tenant;
  request(method: string, url: string, options?: NetRequestOptions): Promise<LightMyRequestResponse>;
  /** POST /v2.0/<collection> with {resource: body}, insisting on 201; returns the resource. */
  create(resource: string, collection: string, body: Record<string, unknown>, token?: string): Promise<Record<string, any>>;
  /** A fresh project with a user holding `role` there. */
  tenant(role?: string): Promise<Tenant>;
  close(): Promise<void>;
}

export async function startNetwork(overrides: Record<string, unknown> = {}, options: { bus?: Bus } = {}): Promise<NetworkHarness> {
  const identity = await startIdentity(overrides);
  const db = identity.deps.db as unknown as Kysely<NetworkDb>;
  await migrateNetwork(db);
  const deps = buildNetworkDeps(identity.config, db, options.bus);
  const { app } = createNetworkService(deps, identity.deps.tokens, createLogger('silent'));
  await app.ready();

  const tenant = (role = 'member'): Promise<Tenant> => makeTenant(identity, role);

  const request: NetworkHarness['request'] = (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers['x-auth-token'] = options.token ?? identity.adminToken;
    let payload: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      payload = JSON.stringify(options.body);
    } else if (options.payload !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      payload = options.payload;
    }
    return app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
  };

  return {
    identity, app, deps, db,
    adminToken: identity.adminToken, adminProjectId: identity.adminProjectId,
    alice: await tenant(), bob: await tenant(),
    request,
    async create(resource, collection, body, token) {
      const res = await request('POST', `/v2.0/${collection}`, { body: { [resource]: body }, ...(token !== undefined ? { token } : {}) });
      if (res.statusCode !== 201) throw new Error(`create ${resource} failed: ${res.statusCode} ${res.body}`);
      return (res.json() as Record<string, any>)[resource];
    },
    tenant,
    async close() {
      await app.close();
      await identity.close();
    },
  };
}

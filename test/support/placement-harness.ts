// A real placement service on the identity harness's database, authenticated by real identity
// tokens, driven through inject(). The admin token is the cloud admin's (role admin); `member`
// is an ordinary project member (placement's defaults refuse it almost everything).
// SQLite by default; PostgreSQL when NIMBUS_TEST_DATABASE_URL is set.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { createLogger } from '../../src/core/logger.js';
import type { PlacementDb } from '../../src/placement/db/schema.js';
import type { PlacementDeps } from '../../src/placement/api/deps.js';
import { buildPlacementDeps, createPlacementService, migratePlacement } from '../../src/placement/service.js';
import { makeTenant, type Tenant } from './tenant.js';
import { startIdentity, type Harness } from './identity-harness.js';

export type { Tenant };

export interface PlacementRequestOptions {
  readonly body?: unknown;
  /** Raw payload sent as is (with contentType), for malformed-body tests. */
  readonly payload?: string;
  readonly contentType?: string;
  /** Defaults to the admin's token; null sends none. */
  readonly token?: string | null;
  /** The microversion sent as `OpenStack-API-Version: placement <v>`; null sends no header. */
  readonly version?: string | null;
  readonly headers?: Record<string, string>;
}

export interface PlacementHarness {
  readonly identity: Harness;
  readonly app: FastifyInstance;
  readonly deps: PlacementDeps;
  readonly db: Kysely<PlacementDb>;
  readonly adminToken: string;
  readonly member: Tenant;
  /** Defaults to microversion `latest` unless options.version says otherwise. */
  request(method: string, url: string, options?: PlacementRequestOptions): Promise<LightMyRequestResponse>;
  /** POST /resource_providers at `latest`, insisting on 200; returns the provider. */
  createProvider(name: string, extra?: Record<string, unknown>): Promise<Record<string, any>>;
  /** PUT the provider's inventories (reading its generation first); returns the new generation. */
  setInventory(uuid: string, inventories: Record<string, Record<string, unknown>>): Promise<number>;
  /** PUT the provider's traits (creating CUSTOM_* ones first). */
  setTraits(uuid: string, traits: readonly string[]): Promise<number>;
  /** PUT the provider's aggregates. */
  setAggregates(uuid: string, aggregates: readonly string[]): Promise<number>;
  tenant(role?: string): Promise<Tenant>;
  close(): Promise<void>;
}

export async function startPlacement(overrides: Record<string, unknown> = {}): Promise<PlacementHarness> {
  const identity = await startIdentity(overrides);
  const db = identity.deps.db as unknown as Kysely<PlacementDb>;
  await migratePlacement(db);
  const deps = buildPlacementDeps(identity.config, db);
  const { app } = createPlacementService(deps, identity.deps.tokens, createLogger('silent'));
  await app.ready();

  const request: PlacementHarness['request'] = (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers['x-auth-token'] = options.token ?? identity.adminToken;
    if (options.version !== null) headers['openstack-api-version'] = `placement ${options.version ?? 'latest'}`;
    let payload: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      payload = JSON.stringify(options.body);
    } else if (options.payload !== undefined) {
      if (options.contentType !== '') headers['content-type'] = options.contentType ?? 'application/json';
      payload = options.payload;
    }
    return app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
  };

  const expect = async (res: Promise<LightMyRequestResponse>, status: number, what: string): Promise<LightMyRequestResponse> => {
    const r = await res;
    if (r.statusCode !== status) throw new Error(`${what} failed: ${r.statusCode} ${r.body}`);
    return r;
  };
  const generation = async (uuid: string): Promise<number> =>
    (await expect(request('GET', `/resource_providers/${uuid}`), 200, 'get provider')).json().generation as number;

  return {
    identity, app, deps, db, adminToken: identity.adminToken, member: await makeTenant(identity, 'member'),
    request,
    async createProvider(name, extra = {}) {
      return (await expect(request('POST', '/resource_providers', { body: { name, ...extra } }), 200, `create provider ${name}`)).json();
    },
    async setInventory(uuid, inventories) {
      const res = await expect(request('PUT', `/resource_providers/${uuid}/inventories`, {
        body: { resource_provider_generation: await generation(uuid), inventories },
      }), 200, 'set inventory');
      return res.json().resource_provider_generation as number;
    },
    async setTraits(uuid, traits) {
      for (const t of traits) if (t.startsWith('CUSTOM_')) await request('PUT', `/traits/${t}`);
      const res = await expect(request('PUT', `/resource_providers/${uuid}/traits`, {
        body: { resource_provider_generation: await generation(uuid), traits },
      }), 200, 'set traits');
      return res.json().resource_provider_generation as number;
    },
    async setAggregates(uuid, aggregates) {
      const res = await expect(request('PUT', `/resource_providers/${uuid}/aggregates`, {
        body: { resource_provider_generation: await generation(uuid), aggregates },
      }), 200, 'set aggregates');
      return res.json().resource_provider_generation as number;
    },
    tenant: (role = 'member') => makeTenant(identity, role),
    async close() {
      await app.close();
      await identity.close();
    },
  };
}

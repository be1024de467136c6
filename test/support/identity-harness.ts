// A real identity service on a throw-away database (SQLite by default; PostgreSQL when
// NIMBUS_TEST_DATABASE_URL names a server database to create schemas in), driven through inject().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { parseConfig, type NimbusConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import type { IdentityDb } from '../../src/identity/db/schema.js';
import { bootstrapIdentity } from '../../src/identity/bootstrap.js';
import { buildIdentityDeps, createIdentityService, migrateIdentity } from '../../src/identity/service.js';
import type { IdentityDeps } from '../../src/identity/api/deps.js';

export const ADMIN_PASSWORD = 'admin-secret-password';

export interface Harness {
  readonly app: FastifyInstance;
  readonly deps: IdentityDeps;
  readonly config: NimbusConfig;
  readonly adminToken: string;
  readonly adminUserId: string;
  readonly adminProjectId: string;
  /** JSON request; `token` defaults to the admin's project-scoped token, null sends none. */
  request(method: string, url: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** Password authentication; returns the token id (throws unless 201). */
  login(user: { name: string; domain?: string } | { id: string }, password: string, scope?: unknown): Promise<string>;
  close(): Promise<void>;
}

async function postgresSchemaUrl(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const url = `${serverUrl}${serverUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

export async function startIdentity(overrides: Record<string, unknown> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-test-'));
  const pgServer = process.env.NIMBUS_TEST_DATABASE_URL;
  const pgSchema = pgServer ? await postgresSchemaUrl(pgServer) : undefined;
  const config = parseConfig({
    dataDir,
    databaseUrl: pgSchema?.url ?? `sqlite://${join(dataDir, 'nimbus.sqlite')}`,
    logLevel: 'silent',
    ...overrides,
    // Cheap hashing keeps the suite fast; the cost parameter is exercised by its own tests.
    identity: { passwordHash: { logN: 10, blockSize: 8, parallelism: 1 }, ...(overrides.identity as object | undefined) },
  });
  const database: Database<IdentityDb> = openDatabase(config.databaseUrl);
  await migrateIdentity(database.db);
  const deps = buildIdentityDeps(config, database.db, undefined);
  const boot = await bootstrapIdentity(database.db, deps.hasher, {
    adminPassword: ADMIN_PASSWORD, region: 'RegionOne',
    services: [{ type: 'identity', name: 'keystone', url: 'http://localhost:5000/v3' }],
  });
  const { app } = createIdentityService(deps, createLogger('silent'));
  await app.ready();

  const request: Harness['request'] = (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers['x-auth-token'] = options.token ?? harness.adminToken;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return app.inject({
      method: method as 'GET', url, headers,
      ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
    });
  };
  const login: Harness['login'] = async (user, password, scope) => {
    const userRef = 'id' in user ? { id: user.id } : { name: user.name, domain: { id: user.domain ?? 'default' } };
    const res = await request('POST', '/v3/auth/tokens', {
      token: null,
      body: { auth: { identity: { methods: ['password'], password: { user: { ...userRef, password } } }, ...(scope ? { scope } : {}) } },
    });
    if (res.statusCode !== 201) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return res.headers['x-subject-token'] as string;
  };
  const harness: Harness = {
    app, deps, config, adminToken: '', adminUserId: boot.adminUserId, adminProjectId: boot.adminProjectId, request, login,
    async close() {
      await app.close();
      await database.close();
      await pgSchema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  (harness as { adminToken: string }).adminToken = await login({ name: 'admin' }, ADMIN_PASSWORD, { project: { name: 'admin', domain: { id: 'default' } } });
  return harness;
}

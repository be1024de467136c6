// The identity and network services in this process on a throw-away SQLite database, both
// listening on loopback ports, and an admin token: what the network benchmark drives over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/core/config.js';
import { createLogger } from '../src/core/logger.js';
import { openDatabase } from '../src/db/database.js';
import type { IdentityDb } from '../src/identity/db/schema.js';
import { bootstrapIdentity } from '../src/identity/bootstrap.js';
import { buildIdentityDeps, createIdentityService, migrateIdentity } from '../src/identity/service.js';
import type { NetworkDb } from '../src/network/db/schema.js';
import { buildNetworkDeps, createNetworkService, migrateNetwork } from '../src/network/service.js';
import type { Kysely } from 'kysely';

export interface NetworkServiceUnderTest {
  /** http://127.0.0.1:PORT/v2.0 */
  readonly networkUrl: string;
  readonly token: string;
  readonly projectId: string;
  stop(): Promise<void>;
}

const PASSWORD = 'bench-password';

export async function startNetworkService(): Promise<NetworkServiceUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-net-'));
  const config = parseConfig({ dataDir: dir, logLevel: 'silent' });
  const database = openDatabase<IdentityDb>(config.databaseUrl);
  const logger = createLogger('silent');
  await migrateIdentity(database.db);
  const deps = buildIdentityDeps(config, database.db, undefined);
  await bootstrapIdentity(database.db, deps.hasher, { adminPassword: PASSWORD, region: 'RegionOne', services: [] });
  const identity = createIdentityService(deps, logger).app;
  const netDb = database.db as unknown as Kysely<NetworkDb>;
  await migrateNetwork(netDb);
  const network = createNetworkService(buildNetworkDeps(config, netDb, undefined), deps.tokens, logger).app;
  const networkAddress = await network.listen({ host: '127.0.0.1', port: 0 });
  const res = await identity.inject({ method: 'POST', url: '/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ auth: {
    identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: PASSWORD } } },
    scope: { project: { name: 'admin', domain: { id: 'default' } } },
  } }) });
  if (res.statusCode !== 201) throw new Error(`bench token: ${res.statusCode} ${res.body}`);
  const token = String(res.headers['x-subject-token']);
  const projectId = (res.json() as { token: { project: { id: string } } }).token.project.id;
  return {
    networkUrl: `${networkAddress}/v2.0`, token, projectId,
    async stop() {
      await network.close();
      await identity.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

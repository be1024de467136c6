// Token issue against the password hash alone, both in ONE process on the same thread pool,
// alternating: the cleanest view of what authentication costs beyond the hash. (Over HTTP the
// hash is timed in the bench's process and the logins in the server's, and machine noise between
// the two easily exceeds the few milliseconds being measured.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/core/config.js';
import { createLogger } from '../src/core/logger.js';
import { openDatabase } from '../src/db/database.js';
import type { IdentityDb } from '../src/identity/db/schema.js';
import { bootstrapIdentity } from '../src/identity/bootstrap.js';
import { buildIdentityDeps, createIdentityService, migrateIdentity } from '../src/identity/service.js';
import { percentile } from './stats.js';

export interface InProcessOverhead { readonly runs: number; readonly hash_p50_ms: number; readonly issue_p50_ms: number; readonly overhead_ms: number }

export async function measureInProcessOverhead(runs = 20): Promise<InProcessOverhead> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-inproc-'));
  const config = parseConfig({ dataDir: dir, logLevel: 'silent' });
  const database = openDatabase<IdentityDb>(config.databaseUrl);
  try {
    await migrateIdentity(database.db);
    const deps = buildIdentityDeps(config, database.db, undefined);
    await bootstrapIdentity(database.db, deps.hasher, { adminPassword: 'bench-password', region: 'RegionOne', services: [] });
    const { app } = createIdentityService(deps, createLogger('silent'));
    await app.ready();
    const user = await database.db.selectFrom('identity_user').select('password_hash').where('name', '=', 'admin').executeTakeFirstOrThrow();
    const payload = JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: 'bench-password' } } },
      scope: { project: { name: 'admin', domain: { id: 'default' } } },
    } });
    const hash: number[] = [];
    const issue: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await deps.hasher.verify('bench-password', user.password_hash);
      hash.push(performance.now() - t);
      t = performance.now();
      const res = await app.inject({ method: 'POST', url: '/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload });
      issue.push(performance.now() - t);
      if (res.statusCode !== 201) throw new Error(`in-process token issue: ${res.statusCode} ${res.body}`);
    }
    await app.close();
    const h = percentile([...hash].sort((a, b) => a - b), 50)!;
    const s = percentile([...issue].sort((a, b) => a - b), 50)!;
    return { runs, hash_p50_ms: round2(h), issue_p50_ms: round2(s), overhead_ms: round2(s - h) };
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

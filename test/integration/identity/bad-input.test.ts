// Every identity route gets malformed, oversized, mistyped and garbage-id requests: none may
// produce a 5xx, and together they may not change a single stored row.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { snapshotTables } from '../../support/db-snapshot.js';
import { registerIdentityRoutes } from '../../../src/identity/api/routes.js';

interface Route { method: string; url: string }

/** The routes exactly as the service registers them. */
function identityRoutes(h: Harness): Route[] {
  const probe = Fastify();
  const routes: Route[] = [];
  probe.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD' && method !== 'OPTIONS') routes.push({ method, url: r.url });
  });
  registerIdentityRoutes(probe, h.deps);
  return routes;
}

/** The JSON key a route's body lives under, by Keystone's convention (singular of the collection). */
function bodyKey(url: string): string {
  const segments = url.split('/').filter((s) => s !== '' && !s.startsWith(':'));
  const last = segments.at(-1) ?? '';
  const special: Record<string, string> = { tokens: 'auth', password: 'user', policies: 'policy', tags: 'tags', config: 'config', 'OS-EC2': 'tenant_id' };
  if (special[last]) return special[last]!;
  return last.endsWith('ies') ? `${last.slice(0, -3)}y` : last.endsWith('s') ? last.slice(0, -1) : last;
}

/** Routes that need no token: discovery, authentication, and self-service password change. */
const PUBLIC_ROUTES = new Set(['GET /', 'GET /v3', 'POST /v3/auth/tokens', 'POST /v3/users/:user_id/password']);

const GARBAGE_IDS = ['nonexistent', 'x'.repeat(300), '%2e%2e%2f%2e%2e', "'%20or%201=1--", '%F0%9F%99%82', '%00', '-1'];

/**
 * A string attribute every body of that key really has. Keystone keeps unknown attributes of most
 * resources as "extra" data, so only mistyping a known one is malformed everywhere.
 */
const STRING_FIELD: Record<string, string> = {
  region: 'description', policy: 'type', credential: 'type', endpoint: 'url', service: 'type',
  consumer: 'description', endpoint_group: 'name', auth: 'methods', tags: 'name',
};

function malformedBodies(key: string): { payload: string; contentType: string }[] {
  const json = (v: unknown) => ({ payload: JSON.stringify(v), contentType: 'application/json' });
  const field = STRING_FIELD[key] ?? 'name';
  return [
    { payload: 'not json', contentType: 'application/json' },
    { payload: '{"truncated": ', contentType: 'application/json' },
    json([]), json(null), json(42), json('string'), json({}),
    json({ [key]: null }), json({ [key]: [{}] }), json({ [key]: 'x' }), json({ [key]: 7 }),
    json({ [key]: { [field]: 12345 } }), json({ [key]: { [field]: { nested: true } } }), json({ [key]: { [field]: [1, 2] } }),
    json({ [key]: { [field]: 'n'.repeat(70_000) } }),
    json({ [key]: { enabled: 'yes', [field]: 12345 } }), json({ [key]: { [field]: true } }),
    { payload: JSON.stringify({ [key]: { [field]: 'a' } }), contentType: 'text/plain' },
    { payload: `<${key}><${field}>x</${field}></${key}>`, contentType: 'application/xml' },
    { payload: JSON.stringify({ [key]: { [field]: 'big', description: 'd'.repeat(200_000) } }), contentType: 'application/json' },
  ];
}

/** The body sent with garbage ids: malformed too, so a PUT that creates by id cannot succeed. */
function garbageIdBody(key: string): string {
  return JSON.stringify({ [key]: { [STRING_FIELD[key] ?? 'name']: 12345 } });
}

describe('identity bad input', () => {
  let h: Harness;
  let tables: string[];
  before(async () => {
    h = await startIdentity();
    tables = (await h.deps.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('nimbus_'));
  });
  after(async () => h.close());

  test('at least 1,000 malformed requests: no 5xx, no stored change', { timeout: 300_000 }, async () => {
    const realIds: Record<string, string> = {
      user_id: h.adminUserId, project_id: h.adminProjectId, domain_id: 'default', region_id: 'RegionOne',
    };
    const before = await snapshotTables(h.deps.db, tables);
    const failures: string[] = [];
    let sent = 0;
    const send = async (method: string, url: string, payload?: string, contentType?: string, headers: Record<string, string> = {}) => {
      const res = await h.app.inject({
        method: method as 'GET', url,
        headers: { 'x-auth-token': h.adminToken, ...(contentType ? { 'content-type': contentType } : {}), ...headers },
        ...(payload !== undefined ? { payload } : {}),
      });
      sent += 1;
      if (res.statusCode >= 500 || res.statusCode < 400) failures.push(`${method} ${url} ${payload?.slice(0, 80) ?? ''} -> ${res.statusCode} ${res.body.slice(0, 160)}`);
    };
    for (const route of identityRoutes(h)) {
      const params = route.url.match(/:(\w+)/g)?.map((p) => p.slice(1)) ?? [];
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
      // Garbage ids in every path parameter, with and without a body.
      if (params.length > 0) {
        for (const garbage of GARBAGE_IDS) {
          const url = route.url.replace(/:(\w+)/g, garbage);
          await send(route.method, url, hasBody ? garbageIdBody(bodyKey(route.url)) : undefined, hasBody ? 'application/json' : undefined);
        }
      }
      // Malformed bodies against real ids, where the route reads a body at all.
      if (hasBody && params.every((p) => realIds[p] !== undefined) && !route.url.endsWith('/:tag')) {
        const url = route.url.replace(/:(\w+)/g, (_, p: string) => realIds[p]!);
        for (const body of malformedBodies(bodyKey(route.url))) await send(route.method, url, body.payload, body.contentType);
      }
      // A forged token is refused before any handler runs.
      const url = route.url.replace(/:(\w+)/g, (_, p: string) => realIds[p] ?? 'nonexistent');
      if (!PUBLIC_ROUTES.has(`${route.method} ${route.url}`)) await send(route.method, url, undefined, undefined, { 'x-auth-token': 'gAAAAAforged' });
    }
    assert.deepEqual(failures, []);
    assert.ok(sent >= 1000, `only ${sent} requests were sent`);
    assert.equal(await snapshotTables(h.deps.db, tables), before, 'stored data changed');
  });

  test('oversized headers are refused by the HTTP server itself', async () => {
    const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
    for (const path of ['/v3/users', '/v3/auth/tokens', '/v3']) {
      const res = await fetch(`${address}${path}`, { headers: { 'x-auth-token': h.adminToken, 'x-padding': 'p'.repeat(64 * 1024) } });
      assert.equal(res.status, 431, path);
    }
  });
});

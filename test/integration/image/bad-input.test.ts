// Every image route gets malformed, mistyped, truncated and garbage-id requests, wrong content
// types, bad queries and ranges, and forged tokens: none may produce anything but a 4xx, and
// together they may not change a stored row or a stored byte.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { snapshotTables } from '../../support/db-snapshot.js';
import { blob, PATCH_V20, PATCH_V21 } from '../../support/image-data.js';
import { startImage, type ImageHarness } from '../../support/image-harness.js';
import { registerImageRoutes } from '../../../src/image/api/routes.js';

interface Route { method: string; url: string }

function imageRoutes(h: ImageHarness): Route[] {
  const probe = Fastify();
  const routes: Route[] = [];
  probe.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD' && method !== 'OPTIONS') routes.push({ method, url: r.url });
  });
  registerImageRoutes(probe, h.deps);
  return routes;
}

const GARBAGE_IDS = ['nonexistent', 'x'.repeat(300), '%2e%2e%2f%2e%2e', "'%20or%201=1--", '%F0%9F%99%82', '%00', '-1', '00000000-0000-0000-0000-000000000000'];
const PUBLIC_ROUTES = new Set(['GET /', 'GET /versions', 'GET /v2']);

const json = (v: unknown) => ({ payload: JSON.stringify(v), contentType: 'application/json' });
const COMMON_BAD = [
  { payload: 'not json', contentType: 'application/json' }, { payload: '{"truncated": ', contentType: 'application/json' },
  json([]), json(null), json(42), json('string'), json([[[[[]]]]]), { payload: '{"a": "\\u0000"}', contentType: 'application/json' },
  { payload: '<image/>', contentType: 'application/xml' }, { payload: 'name=x', contentType: 'application/x-www-form-urlencoded' },
  { payload: JSON.stringify({ x: 'y'.repeat(70_000) }), contentType: 'application/json' },
];

/** Bodies that are wrong for the route they are sent to (never accidentally valid). */
function specificBad(route: Route): { payload: string; contentType: string }[] {
  const u = route.url;
  if (u === '/v2/images') {
    return [{ disk_format: 5 }, { name: 12 }, { visibility: 'x' }, { min_ram: -5 }, { min_disk: 1.5 }, { tags: [1] }, { protected: 'true' },
      { id: 'bad' }, { os_glance_x: 'y' }, { status: 'active' }, { prop: { nested: 1 } }, { owner: 7 }, { container_format: 'box' },
      { kernel_id: 'k' }, { self: 'x' }, { locations: [] }, { visibility: 'public', name: 1 }].map(json);
  }
  if (u === '/v2/images/:image_id' && route.method === 'PATCH') {
    const bodies: unknown[] = [[{ op: 'replace', path: '/status', value: 'active' }], [{ op: 'remove', path: '/name' }], [{ op: 'nope', path: '/name' }],
      [{ op: 'replace', path: 'name', value: 1 }], [{ op: 'replace', path: '/name', value: 1 }], [{ op: 'add', path: '/a/b', value: 'x' }],
      [{ op: 'replace', path: '/min_ram', value: -1 }], [{ op: 'replace', path: '/missing', value: 'x' }], [{ op: 'add', path: '/os_glance_x', value: 'y' }],
      [{ op: 'add', path: '/p', value: 1 }], [{ op: 'replace', path: '/visibility', value: 'all' }], [{ op: 'add', path: '/a~9', value: 'x' }], {}, [1]];
    return [...bodies.map((b) => ({ payload: JSON.stringify(b), contentType: PATCH_V21 })),
      ...bodies.slice(0, 6).map((b) => ({ payload: JSON.stringify(b), contentType: PATCH_V20 })), json([{ op: 'replace', path: '/name', value: 'x' }])];
  }
  if (u.endsWith('/members') && route.method === 'POST') return [{}, { member: 5 }, { member: '' }, { member: null }, { member: 'x'.repeat(300) }, { members: 'p' }].map(json);
  if (u.endsWith('/members/:member_id')) return [{}, { status: 'bogus' }, { status: 5 }, { status: null }].map(json);
  if (u.endsWith('/import')) return [{}, { method: 5 }, { method: {} }, { method: { name: 'web-download' } }, { method: { name: 'glance-direct' }, all_stores: 1 }].map(json);
  if (u.endsWith('/file') || u.endsWith('/stage')) return [json({ data: 'x' }), { payload: 'abc', contentType: 'text/plain' }];
  if (u === '/v2/metadefs/namespaces' || u === '/v2/metadefs/namespaces/:namespace') {
    return [{}, { namespace: 5 }, { namespace: '' }, { namespace: 'n'.repeat(81) }, { namespace: 'a', visibility: 'x' }, { namespace: 'a', extra: 1 },
      { namespace: 'a', tags: [{ name: 5 }] }, { namespace: 'a', objects: [{}] }].map(json);
  }
  if (u.endsWith('/objects') || u.endsWith('/objects/:name')) return [{}, { name: 5 }, { name: 'o', properties: 5 }, { name: 'o', extra: 1 }].map(json);
  if (u.endsWith('/properties') || u.endsWith('/properties/:name')) return [{}, { name: 'p' }, { name: 'p', title: 't', type: 'blob' }, { name: 'p', title: 5, type: 'string' }].map(json);
  if (u.endsWith('/tags') && u.startsWith('/v2/metadefs')) return [{}, { tags: 'x' }, { tags: [{}] }, { tags: [{ name: 5 }] }].map(json);
  if (u.endsWith('/tags/:name')) return [{}, { name: 5 }].map(json);
  if (u.endsWith('/resource_types')) return [{}, { name: 5 }, { name: 'x', other: 1 }].map(json);
  return [];
}

const BAD_QUERIES = ['limit=x', 'limit=-1', 'limit=1.5', 'sort_key=owner', 'sort_dir=sideways', 'sort=name:up', 'sort=', 'sort=x:asc',
  'sort=name&sort_key=size', 'visibility=everyone', 'member_status=maybe', 'os_hidden=2', 'protected=yes', 'size_min=big', 'size_max=1e3',
  'name=like:x', 'status=gt:active', 'created_at=gt:yesterday', 'updated_at=xx:2000-01-01', 'changes-since=2000',
  'marker=nonexistent', `marker=${'m'.repeat(300)}`, 'foo_min=1', 'sort_key=name&sort_key=id&sort_dir=asc&sort_dir=desc&sort_dir=asc'];
const BAD_RANGES = ['bytes=5-1', 'bytes=x', 'bytes=0-1,3-4', 'lines=1-2', 'bytes=99999999-', 'bytes=-0', 'bytes', 'bytes=--1', `bytes=${'9'.repeat(40)}-`];

describe('image bad input', () => {
  let h: ImageHarness;
  let tables: string[];
  const real: Record<string, string> = {};
  before(async () => {
    h = await startImage();
    tables = (await h.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('nimbus_'));
    real.image_id = (await h.createImage({ name: 'queued', disk_format: 'raw', container_format: 'bare' })).id;
    const active = await h.createImage({ name: 'active', disk_format: 'raw', container_format: 'bare' });
    assert.equal((await h.upload(active.id, blob(4096))).statusCode, 204);
    real.active_id = active.id;
    assert.equal((await h.request('POST', `/v2/images/${real.image_id}/members`, { body: { member: h.bob.projectId } })).statusCode, 200);
    real.member_id = h.bob.projectId;
    assert.equal((await h.request('POST', '/v2/metadefs/namespaces', { body: { namespace: 'ns', objects: [{ name: 'o' }], tags: [{ name: 't' }] } })).statusCode, 201);
    real.namespace = 'ns';
    real.name = 'o';
  });
  after(async () => h.close());

  test('at least 1,000 malformed requests: only 4xx, no stored change', { timeout: 300_000 }, async () => {
    const beforeRows = await snapshotTables(h.db, tables);
    const beforeFiles = JSON.stringify([...(await h.deps.store.list('images'))].sort());
    const failures: string[] = [];
    let sent = 0;
    const send = async (method: string, url: string, body?: { payload: string; contentType: string }, headers: Record<string, string> = {}) => {
      const res = await h.app.inject({
        method: method as 'GET', url,
        headers: { 'x-auth-token': h.adminToken, ...(body ? { 'content-type': body.contentType } : {}), ...headers },
        ...(body ? { payload: body.payload } : {}),
      });
      sent += 1;
      if (res.statusCode >= 500 || res.statusCode < 400) failures.push(`${method} ${url.slice(0, 100)} ${body?.payload.slice(0, 60) ?? ''} -> ${res.statusCode} ${res.body.slice(0, 120)}`);
    };
    for (const route of imageRoutes(h)) {
      const params = route.url.match(/:(\w+)/g)?.map((p) => p.slice(1)) ?? [];
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
      const bad = [...(hasBody ? COMMON_BAD : []), ...specificBad(route)];
      for (const garbage of params.length > 0 ? GARBAGE_IDS : []) {
        const url = route.url.replace(/:(\w+)/g, garbage);
        await send(route.method, url, bad[0]);
        await send(route.method, url, hasBody ? json({ name: 'x' }) : undefined);
      }
      // Creating a tag or member by URL alone would succeed: garbage ids cover those routes.
      const createsByUrl = route.url.endsWith('/tags/:tag') || (route.method === 'POST' && route.url.endsWith('/tags/:name'));
      if (hasBody && !createsByUrl) {
        const url = route.url.replace(/:(\w+)/g, (_, p: string) => real[p] ?? 'none');
        for (const body of bad) await send(route.method, url, body);
      }
      const url = route.url.replace(/:(\w+)/g, (_, p: string) => real[p] ?? 'none');
      if (!PUBLIC_ROUTES.has(`${route.method} ${route.url}`)) {
        await send(route.method, url, undefined, { 'x-auth-token': 'gAAAAAforged' });
        await send(route.method, url, undefined, { 'x-auth-token': 't'.repeat(8000) });
      }
    }
    for (const query of BAD_QUERIES) await send('GET', `/v2/images?${query}`);
    for (const range of BAD_RANGES) await send('GET', `/v2/images/${real.active_id}/file`, undefined, { range });
    for (const method of ['DELETE', 'PUT', 'PATCH']) await send(method, '/v2/images');
    for (const path of ['/v2/images/', '/v2/imagez', '/v3/images', '/v2/schemas/', '/v2/info/nothing']) await send('GET', path);
    // Another project may not act on the admin's image, and a member may not change it.
    for (const [method, path, body] of [['PATCH', `/v2/images/${real.image_id}`, { payload: JSON.stringify([{ op: 'replace', path: '/name', value: 'x' }]), contentType: PATCH_V21 }],
      ['DELETE', `/v2/images/${real.image_id}`, undefined], ['PUT', `/v2/images/${real.image_id}/file`, { payload: 'abc', contentType: 'application/octet-stream' }],
      ['POST', `/v2/images/${real.active_id}/actions/deactivate`, undefined], ['DELETE', `/v2/images/${real.image_id}/members/${real.member_id}`, undefined]] as const) {
      for (const token of [h.alice.token, h.bob.token]) await send(method, path, body, { 'x-auth-token': token });
    }
    assert.deepEqual(failures, []);
    assert.ok(sent >= 1000, `only ${sent} requests were sent`);
    assert.equal(await snapshotTables(h.db, tables), beforeRows, 'stored rows changed');
    assert.equal(JSON.stringify([...(await h.deps.store.list('images'))].sort()), beforeFiles, 'stored bytes changed');
  });
});

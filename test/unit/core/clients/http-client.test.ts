import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DEFAULT_RETRY, HttpClient, ServiceApiError, ServiceAuth, ServiceUnavailableError, queryString, retryDelay,
} from '../../../../src/core/clients/index.js';
import { catalogEntry, startFakeKeystone, startFakeServer, type FakeKeystone, type FakeServer } from './fake-server.js';

describe('HttpClient', () => {
  let k: FakeKeystone;
  let svc: FakeServer;
  let auth: ServiceAuth;
  before(async () => {
    svc = await startFakeServer();
    k = await startFakeKeystone();
    k.catalog = [catalogEntry('network', [{ interface: 'public', region: 'RegionOne', url: `${svc.url}/` }])];
    auth = new ServiceAuth({ authUrl: `${k.url}/v3`, username: 'nova', password: 'secret', projectName: 'service' });
  });
  after(async () => {
    await svc.close();
    await k.close();
  });

  const client = (extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) =>
    new HttpClient({ service: 'network', auth, versionPrefix: '/v2.0', retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...extra });

  test('the catalog endpoint, the version prefix once, token, request id, microversion and query', async () => {
    svc.handler = () => ({ status: 200, body: { ok: true } });
    const rid = `req-${randomUUID()}`;
    const c = client({ requestId: rid, microversion: { service: 'placement', version: '1.36' } });
    const res = await c.get<{ ok: boolean }>('/ports', { query: { device_id: 'd1', id: ['a', 'b'], skip: undefined, none: null } });
    assert.deepEqual(res.body, { ok: true });
    const req = svc.requests.at(-1)!;
    assert.equal(req.path, '/v2.0/ports');
    assert.deepEqual(req.query.getAll('id'), ['a', 'b']);
    assert.equal(req.query.get('device_id'), 'd1');
    assert.equal(req.query.has('skip') || req.query.has('none'), false);
    assert.equal(req.headers['x-auth-token'], await auth.token());
    assert.equal(req.headers['x-openstack-request-id'], rid);
    assert.equal(req.headers['openstack-api-version'], 'placement 1.36');
    assert.equal(req.headers.accept, 'application/json');

    await c.get('/x', { microversion: '1.38' });
    assert.equal(svc.requests.at(-1)!.headers['openstack-api-version'], 'placement 1.38');
    // An endpoint already ending with the version is not given it twice.
    await client({ auth: undefined, endpoint: `${svc.url}/v2.0/` }).get('/networks');
    assert.equal(svc.requests.at(-1)!.path, '/v2.0/networks');
    assert.equal(svc.requests.at(-1)!.headers['x-auth-token'], undefined);
  });

  test('only a well-formed request id is passed on', async () => {
    svc.handler = () => ({ status: 204 });
    await client({ requestId: 'req-not-a-uuid\r\nx-evil: 1' }).get('/x');
    assert.equal(svc.requests.at(-1)!.headers['x-openstack-request-id'], undefined);
    await client().with({ requestId: undefined }).get('/x');
    assert.equal(svc.requests.at(-1)!.headers['x-openstack-request-id'], undefined);
  });

  test('JSON bodies and raw bodies', async () => {
    svc.handler = (req) => ({ status: 201, body: { got: req.json ?? req.body } });
    const c = client();
    const json = await c.post<{ got: unknown }>('/ports', { port: { name: 'p' } });
    assert.equal(json.status, 201);
    assert.deepEqual(json.body.got, { port: { name: 'p' } });
    assert.equal(svc.requests.at(-1)!.headers['content-type'], 'application/json');
    const raw = await c.request<{ got: unknown }>('PUT', '/file', { data: { open: () => Readable.from([Buffer.from('ab'), Buffer.from('cd')]), contentType: 'application/octet-stream' } });
    assert.equal(raw.body.got, 'abcd');
    assert.equal(svc.requests.at(-1)!.headers['content-type'], 'application/octet-stream');
  });

  test('error statuses become ServiceApiError with the fault, method, path and request id', async () => {
    svc.handler = () => ({
      status: 404, headers: { 'x-openstack-request-id': 'req-remote' },
      body: { NeutronError: { type: 'PortNotFound', message: 'Port p1 could not be found.', detail: '' } },
    });
    const err = await client().get('/ports/p1', { query: { fields: 'id' } }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ServiceApiError);
    assert.equal(err.status, 404);
    assert.equal(err.service, 'network');
    assert.equal(err.method, 'GET');
    assert.equal(err.path, '/ports/p1?fields=id');
    assert.equal(err.requestId, 'req-remote');
    assert.equal(err.detail, 'Port p1 could not be found.');
    assert.deepEqual((err.body as any).NeutronError.type, 'PortNotFound');
    assert.match(err.message, /network GET \/ports\/p1\?fields=id: 404 Port p1 could not be found\./);

    svc.handler = () => ({ status: 409, body: { errors: [{ status: 409, title: 'Conflict', detail: 'generation conflict', code: 'placement.concurrent_update' }] } });
    const placement = await client().put('/x', {}).then(() => undefined, (e: unknown) => e as ServiceApiError);
    assert.equal(placement?.code, 'placement.concurrent_update');
    assert.equal(placement?.detail, 'generation conflict');

    svc.handler = () => ({ status: 400, body: 'plain words' });
    const text = await client().get('/x').then(() => undefined, (e: unknown) => e as ServiceApiError);
    assert.equal(text?.body, 'plain words');

    svc.handler = () => ({ status: 404, body: { itemNotFound: { code: 404, message: 'gone' } } });
    const accepted = await client().get('/x', { accept: [404] });
    assert.equal(accepted.status, 404);
  });

  test('a 401 authenticates once more and resends; a second 401 is thrown', async () => {
    const c = client();
    const stale = await auth.token();
    svc.handler = (req) => (req.headers['x-auth-token'] === stale ? { status: 401, body: { error: { message: 'expired' } } } : { status: 200, body: { token: req.headers['x-auth-token'] } });
    const sent = svc.requests.length;
    const res = await c.post<{ token: string }>('/ports', { port: {} });
    assert.notEqual(res.body.token, stale);
    assert.equal(svc.requests.length, sent + 2);
    assert.deepEqual(svc.requests.at(-1)!.json, { port: {} });

    const issued = k.issued.length;
    svc.handler = () => ({ status: 401, body: { error: { message: 'no' } } });
    await assert.rejects(c.get('/ports'), (e: unknown) => e instanceof ServiceApiError && e.status === 401);
    assert.equal(k.issued.length, issued + 1);
  });

  test('503 is retried for idempotent methods, up to the attempts, never for POST', async () => {
    let n = 0;
    svc.handler = () => (++n < 3 ? { status: 503, body: { message: 'busy' } } : { status: 200, body: { n } });
    assert.deepEqual((await client().get('/x')).body, { n: 3 });

    n = 0;
    const before = svc.requests.length;
    svc.handler = () => ({ status: 503, body: { message: 'busy' } });
    await assert.rejects(client().delete('/x'), (e: unknown) => e instanceof ServiceApiError && e.status === 503);
    assert.equal(svc.requests.length - before, DEFAULT_RETRY.attempts);

    const beforePost = svc.requests.length;
    await assert.rejects(client().post('/x', {}), (e: unknown) => e instanceof ServiceApiError && e.status === 503);
    assert.equal(svc.requests.length - beforePost, 1);

    const beforePut = svc.requests.length;
    await assert.rejects(client().put('/x', {}, { retry: false }), ServiceApiError);
    assert.equal(svc.requests.length - beforePut, 1);

    const beforeForced = svc.requests.length;
    await assert.rejects(client({ retry: { attempts: 2, baseDelayMs: 1 } }).post('/x', {}, { retry: true }), ServiceApiError);
    assert.equal(svc.requests.length - beforeForced, 2);
  });

  test('a refused connection is retried for GET (the service may be starting) but not for POST', async () => {
    const late = await startFakeServer();
    const port = late.port;
    await late.close();
    const c = new HttpClient({ service: 'image', endpoint: `http://127.0.0.1:${port}`, retry: { attempts: 4, baseDelayMs: 150, maxDelayMs: 150 } });
    await assert.rejects(c.post('/x', {}), (e: unknown) => e instanceof ServiceUnavailableError && e.reason === 'connection' && /ECONNREFUSED/.test(e.message));
    let server: FakeServer | undefined;
    setTimeout(() => { void startFakeServer(() => ({ status: 200, body: { up: true } }), port).then((s) => { server = s; }); }, 20);
    try {
      assert.deepEqual((await c.get('/x')).body, { up: true });
    } finally {
      await server?.close();
    }
  });

  test('no answer in time is a ServiceUnavailableError (timeout), not retried', async () => {
    const before = svc.requests.length;
    svc.handler = () => ({ status: 200, body: {}, delayMs: 300 });
    await assert.rejects(client({ timeoutMs: 50 }).get('/slow'), (e: unknown) => e instanceof ServiceUnavailableError && e.reason === 'timeout');
    assert.equal(svc.requests.length - before, 1);
  });

  test('a caller abort is the caller\'s error', async () => {
    svc.handler = () => ({ status: 200, body: {}, delayMs: 200 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 20);
    await assert.rejects(client().get('/slow', { signal: controller.signal }), /caller gave up/);
  });

  test('stream() hands back the body once the headers are in', async () => {
    svc.handler = () => ({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('bytes!') });
    const res = await client().stream('GET', '/file');
    assert.equal(res.status, 200);
    assert.equal(Buffer.from(await new Response(res.body).arrayBuffer()).toString(), 'bytes!');
  });

  test('backoff grows, is capped, and a small Retry-After wins', () => {
    const p = { attempts: 5, baseDelayMs: 100, maxDelayMs: 300 };
    for (let i = 0; i < 20; i += 1) {
      const d1 = retryDelay(p, 1);
      assert.ok(d1 >= 50 && d1 <= 100);
      const d4 = retryDelay(p, 4);
      assert.ok(d4 >= 150 && d4 <= 300);
    }
    assert.equal(retryDelay(p, 1, '0'), 0);
    assert.equal(retryDelay(p, 1, '120'), 300);
    assert.equal(queryString({ a: [1, 2], b: true, c: undefined }), '?a=1&a=2&b=true');
    assert.equal(queryString({}), '');
  });
});

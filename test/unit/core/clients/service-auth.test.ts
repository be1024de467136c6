import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointNotFoundError, ServiceApiError, ServiceAuth, findEndpoint, type CatalogEntry } from '../../../../src/core/clients/index.js';
import { catalogEntry, startFakeKeystone, type FakeKeystone } from './fake-server.js';

describe('ServiceAuth', () => {
  let k: FakeKeystone;
  before(async () => {
    k = await startFakeKeystone([
      catalogEntry('network', [
        { interface: 'public', region: 'RegionOne', url: 'http://net-public:9696/' },
        { interface: 'internal', region: 'RegionOne', url: 'http://net-internal:9696' },
        { interface: 'public', region: 'RegionTwo', url: 'http://net-two:9696' },
      ]),
      catalogEntry('image', [{ interface: 'public', region: 'RegionTwo', url: 'http://image-two:9292' }]),
    ]);
  });
  after(async () => k.close());

  const auth = (extra: Partial<ConstructorParameters<typeof ServiceAuth>[0]> = {}) => new ServiceAuth({
    authUrl: `${k.url}/v3`, username: 'nova', password: 'secret', projectName: 'service', ...extra,
  });

  test('password authentication scoped to the service project, with the domains given', async () => {
    const before = k.requests.length;
    const a = auth({ userDomainName: 'Users', projectDomainId: 'pd' });
    const session = await a.session();
    const req = k.requests[before]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v3/auth/tokens');
    assert.deepEqual(req.json.auth.identity, { methods: ['password'], password: { user: { name: 'nova', domain: { name: 'Users' }, password: 'secret' } } });
    assert.deepEqual(req.json.auth.scope, { project: { name: 'service', domain: { id: 'pd' } } });
    assert.equal(session.token, k.issued.at(-1));
    assert.equal(session.userId, 'svc-user');
    assert.equal(session.projectId, 'svc-project');
    assert.deepEqual(session.roles, ['admin']);
  });

  test('default domains are "default"; a project id scopes by id; the auth URL may lack /v3', async () => {
    const before = k.requests.length;
    await auth({ authUrl: k.url, projectName: undefined, projectId: 'p1' }).token();
    const req = k.requests[before]!;
    assert.equal(req.path, '/v3/auth/tokens');
    assert.deepEqual(req.json.auth.identity.password.user.domain, { id: 'default' });
    assert.deepEqual(req.json.auth.scope, { project: { id: 'p1' } });
  });

  test('the token is cached, and concurrent callers share one authentication', async () => {
    const a = auth();
    const issued = k.issued.length;
    const tokens = await Promise.all([a.token(), a.token(), a.token()]);
    assert.equal(k.issued.length, issued + 1);
    assert.equal(new Set(tokens).size, 1);
    assert.equal(await a.token(), tokens[0]);
    assert.equal(k.issued.length, issued + 1);
  });

  test('a new token about five minutes before expiry, not earlier', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    k.now = () => clock;
    try {
      const a = auth({ now: () => clock });
      const first = await a.token();
      clock += 54 * 60_000;
      assert.equal(await a.token(), first);
      clock += 2 * 60_000; // 4 minutes left
      const second = await a.token();
      assert.notEqual(second, first);
      assert.equal(await a.token(), second);
    } finally {
      k.now = Date.now;
    }
  });

  test('a short-lived token is kept for half its lifetime', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    k.now = () => clock;
    k.lifetimeMs = 4 * 60_000;
    try {
      const a = auth({ now: () => clock });
      const first = await a.token();
      clock += 60_000;
      assert.equal(await a.token(), first);
      clock += 61_000;
      assert.notEqual(await a.token(), first);
    } finally {
      k.now = Date.now;
      k.lifetimeMs = 3_600_000;
    }
  });

  test('invalidate forgets that token only', async () => {
    const a = auth();
    const first = await a.token();
    a.invalidate('some-older-token');
    assert.equal(await a.token(), first);
    a.invalidate(first);
    assert.notEqual(await a.token(), first);
  });

  test('endpoints by type, interface and region; overrides win', async () => {
    const a = auth({ region: 'RegionOne', endpointOverrides: { placement: 'http://127.0.0.1:1/placement/' } });
    assert.equal(await a.endpoint('network'), 'http://net-public:9696');
    assert.equal(await a.endpoint('network', { interface: 'internal' }), 'http://net-internal:9696');
    assert.equal(await a.endpoint('network', { region: 'RegionTwo' }), 'http://net-two:9696');
    assert.equal(await a.endpoint('placement'), 'http://127.0.0.1:1/placement');
    await assert.rejects(a.endpoint('image'), (e: unknown) => e instanceof EndpointNotFoundError && /image/.test(e.message) && /RegionOne/.test(e.message));
    await assert.rejects(a.endpoint('compute'), EndpointNotFoundError);
    // Any region when none is configured; the interface default can be changed.
    assert.equal(await auth().endpoint('image'), 'http://image-two:9292');
    assert.equal(await auth({ interface: 'internal' }).endpoint('network'), 'http://net-internal:9696');
  });

  test('findEndpoint matches the legacy region field too', () => {
    const catalog: CatalogEntry[] = [{ type: 'volumev3', endpoints: [{ interface: 'public', region: 'R1', url: 'http://v/' }] }];
    assert.equal(findEndpoint(catalog, 'volumev3', 'public', 'R1'), 'http://v');
    assert.equal(findEndpoint(catalog, 'volumev3', 'admin', 'R1'), undefined);
  });

  test('catalog: false asks for ?nocatalog and then only overrides resolve', async () => {
    const before = k.requests.length;
    const a = auth({ catalog: false, endpointOverrides: { network: 'http://n' } });
    await a.token();
    assert.ok(k.requests[before]!.query.has('nocatalog'));
    assert.equal(await a.endpoint('network'), 'http://n');
    await assert.rejects(a.endpoint('image'), EndpointNotFoundError);
  });

  test('a wrong password is a ServiceApiError from identity', async () => {
    await assert.rejects(auth({ password: 'wrong' }).token(), (e: unknown) =>
      e instanceof ServiceApiError && e.status === 401 && e.service === 'identity' && e.method === 'POST'
      && e.path.startsWith('/auth/tokens') && /requires authentication/.test(e.message));
  });
});

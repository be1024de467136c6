// The HTTP envelope of placement: the version document, microversion negotiation and headers,
// the error body (code from 1.23, request_id, min/max_version on a 406), 404/405, media types,
// authentication and the admin-only policy defaults.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlacement, type PlacementHarness } from '../../support/placement-harness.js';

describe('placement API envelope', () => {
  let h: PlacementHarness;
  before(async () => { h = await startPlacement(); });
  after(async () => { await h.close(); });

  it('serves the version document at / without a token, with microversion headers', async () => {
    const res = await h.request('GET', '/', { token: null, version: null });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      versions: [{ id: 'v1.0', max_version: '1.39', min_version: '1.0', status: 'CURRENT', links: [{ rel: 'self', href: '' }] }],
    });
    assert.equal(res.headers['openstack-api-version'], 'placement 1.0');
    assert.match(String(res.headers.vary), /openstack-api-version/);
    assert.match(String(res.headers['x-openstack-request-id']), /^req-/);
    const latest = await h.request('GET', '/', { token: null, version: 'latest' });
    assert.equal(latest.headers['openstack-api-version'], 'placement 1.39');
    const mixed = await h.request('GET', '/', { token: null, version: null, headers: { 'openstack-api-version': 'compute 2.1, placement 1.17' } });
    assert.equal(mixed.headers['openstack-api-version'], 'placement 1.17');
  });

  it('refuses unusable microversions: 406 outside the range, 400 when malformed', async () => {
    const low = await h.request('GET', '/', { token: null, version: '0.5' });
    assert.equal(low.statusCode, 406);
    const err = low.json().errors[0];
    assert.equal(err.title, 'Not Acceptable');
    assert.equal(err.detail, 'Unacceptable version header: 0.5');
    assert.equal(err.max_version, '1.39');
    assert.equal(err.min_version, '1.0');
    assert.equal((await h.request('GET', '/', { token: null, version: '1.40' })).statusCode, 406);
    const pony = await h.request('GET', '/', { token: null, version: 'pony.horse' });
    assert.equal(pony.statusCode, 400);
    assert.equal(pony.json().errors[0].detail, 'invalid version string: pony.horse');
    assert.equal(pony.json().errors[0].title, 'Bad Request');
    assert.equal((await h.request('GET', '/', { token: null, version: '1.2.3' })).json().errors[0].detail, 'invalid version string: 1.2.3');
  });

  it('renders errors with request_id always and code from 1.23', async () => {
    const old = await h.request('GET', '/resource_providers/nope', { version: '1.22' });
    assert.equal(old.statusCode, 404);
    const e = old.json().errors[0];
    assert.equal(e.status, 404);
    assert.equal(e.title, 'Not Found');
    assert.equal(e.code, undefined);
    assert.equal(e.request_id, old.headers['x-openstack-request-id']);
    const now = await h.request('GET', '/resource_providers/nope', { version: '1.23' });
    assert.equal(now.json().errors[0].code, 'placement.undefined_code');
    assert.equal(now.headers['openstack-api-version'], 'placement 1.23');
  });

  it('answers 404 for unknown paths and for features newer than the microversion, 405 with Allow', async () => {
    const unknown = await h.request('GET', '/moo');
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().errors[0].detail, /The resource could not be found/);
    assert.equal((await h.request('GET', '/traits', { version: '1.5' })).statusCode, 404);
    assert.equal((await h.request('GET', '/allocation_candidates?resources=VCPU:1', { version: '1.9' })).statusCode, 404);
    assert.equal((await h.request('POST', '/reshaper', { version: '1.29', body: {} })).statusCode, 404);
    const reshaper = await h.request('POST', '/reshaper', { body: {} });
    assert.equal(reshaper.statusCode, 501);
    assert.match(reshaper.json().errors[0].detail, /not implemented/);
    const post = await h.request('POST', '/', { token: null, payload: '<x/>', contentType: 'application/xml' });
    assert.equal(post.statusCode, 405);
    assert.equal(post.headers.allow, 'GET');
    assert.equal(post.headers['openstack-api-version'], 'placement 1.39');
    const patch = await h.request('PATCH', '/resource_providers', { body: {} });
    assert.equal(patch.statusCode, 405);
    assert.equal(patch.headers.allow, 'GET, POST');
  });

  it('insists on JSON bodies and JSON answers', async () => {
    const noType = await h.request('POST', '/resource_providers', { payload: '{"name": "x"}', contentType: '' });
    assert.equal(noType.statusCode, 400);
    assert.equal(noType.json().errors[0].detail, 'content-type header required when content-length > 0');
    const text = await h.request('POST', '/resource_providers', { payload: '{"name": "x"}', contentType: 'text/plain' });
    assert.equal(text.statusCode, 415);
    const empty = await h.request('POST', '/resource_providers', { payload: '', contentType: 'application/json' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.json().errors[0].detail, /^Malformed JSON: /);
    const html = await h.request('GET', '/resource_providers', { headers: { accept: 'text/html' } });
    assert.equal(html.statusCode, 406);
    assert.equal(html.json().errors[0].detail, 'Only application/json is provided');
    assert.equal((await h.request('GET', '/resource_providers', { headers: { accept: 'application/json;q=0.9, */*;q=0.1' } })).statusCode, 200);
  });

  it('requires a token everywhere but the root, and the admin (or service) role', async () => {
    const anon = await h.request('GET', '/resource_providers', { token: null });
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.json().errors[0].status, 401);
    const member = await h.request('GET', '/resource_providers', { token: h.member.token });
    assert.equal(member.statusCode, 403);
    assert.equal(member.json().errors[0].detail, 'Policy does not allow placement:resource_providers:list to be performed.');
    for (const [method, url] of [['GET', '/traits'], ['GET', '/resource_classes'], ['POST', '/resource_providers'], ['GET', '/allocation_candidates?resources=VCPU:1']]) {
      const res = await h.request(method!, url!, { token: h.member.token, ...(method === 'POST' ? { body: { name: 'x' } } : {}) });
      assert.equal(res.statusCode, 403, `${method} ${url}`);
    }
    const role = await h.identity.request('POST', '/v3/roles', { body: { role: { name: 'service' } } });
    assert.ok(role.statusCode === 201 || role.statusCode === 409, role.body);
    const service = await h.tenant('service');
    assert.equal((await h.request('GET', '/resource_providers', { token: service.token })).statusCode, 200);
  });
});

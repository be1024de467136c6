// Version documents and microversion negotiation, through the real compute app.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { createLogger } from '../../../src/core/logger.js';
import { parseComputeConfig } from '../../../src/compute/config.js';
import { buildComputeDeps, createComputeService } from '../../../src/compute/service.js';

describe('compute versions and microversions', () => {
  let h: ComputeHarness;
  before(async () => { h = await startCompute(); });
  after(async () => { await h?.close(); });

  it('lists v2.0 and v2.1 at the root without a token, and no version headers', async () => {
    const res = await h.request('GET', '/', { token: null });
    assert.equal(res.statusCode, 200);
    const versions = res.json().versions as Record<string, any>[];
    assert.deepEqual(versions.map((v) => [v.id, v.status]), [['v2.0', 'SUPPORTED'], ['v2.1', 'CURRENT']]);
    assert.equal(versions[1]!.version, '2.95');
    assert.equal(versions[1]!.min_version, '2.1');
    assert.match(versions[1]!.links[0].href, /\/v2\.1\/$/);
    assert.equal(res.headers['openstack-api-version'], undefined);
  });

  it('shows the v2.1 document without a token, echoing the version', async () => {
    for (const path of ['/v2.1', '/v2.1/']) {
      const res = await h.request('GET', path, { token: null });
      assert.equal(res.statusCode, 200, path);
      const doc = res.json().version;
      assert.equal(doc.id, 'v2.1');
      assert.equal(doc.version, '2.95');
      assert.equal(doc['media-types'][0].type, 'application/vnd.openstack.compute+json;version=2.1');
      assert.equal(res.headers['openstack-api-version'], 'compute 2.1');
      assert.equal(res.headers['x-openstack-nova-api-version'], '2.1');
      assert.match(String(res.headers.vary), /OpenStack-API-Version/);
    }
    const v2 = await h.request('GET', '/v2/', { token: null });
    assert.equal(v2.statusCode, 200);
    assert.equal(v2.json().version.id, 'v2.0');
  });

  it('negotiates the new header, the legacy header and latest', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, '2.1'],
      [{ 'openstack-api-version': 'compute 2.55' }, '2.55'],
      [{ 'openstack-api-version': 'volume 3.1, compute 2.10' }, '2.10'],
      [{ 'openstack-api-version': 'compute latest' }, '2.95'],
      [{ 'x-openstack-nova-api-version': '2.37' }, '2.37'],
      [{ 'x-openstack-nova-api-version': 'latest' }, '2.95'],
      [{ 'openstack-api-version': 'compute 2.60', 'x-openstack-nova-api-version': '2.3' }, '2.60'],
      [{ 'openstack-api-version': 'image 2.5' }, '2.1'],
    ];
    for (const [headers, expected] of cases) {
      const res = await h.request('GET', '/v2.1/flavors', { headers });
      assert.equal(res.statusCode, 200, JSON.stringify(headers));
      assert.equal(res.headers['openstack-api-version'], `compute ${expected}`, JSON.stringify(headers));
      assert.equal(res.headers['x-openstack-nova-api-version'], expected);
    }
  });

  it('answers 406 outside the range and 400 for malformed versions, in Nova fault bodies', async () => {
    for (const version of ['2.96', '3.0', '1.1', '2.0']) {
      const res = await h.request('GET', '/v2.1/flavors', { version });
      assert.equal(res.statusCode, 406, version);
      assert.equal(res.json().computeFault.message, `Version ${version} is not supported by the API. Minimum is 2.1 and maximum is 2.95.`);
      assert.equal(res.headers['openstack-api-version'], undefined);
    }
    for (const version of ['2', '2.', 'abc', '2.01', '02.1', '2.1.1', '']) {
      const res = await h.request('GET', '/v2.1/flavors', { headers: { 'x-openstack-nova-api-version': version } });
      assert.equal(res.statusCode, 400, version);
      assert.equal(res.json().badRequest.code, 400);
    }
  });

  it('authenticates before it looks at the version', async () => {
    const res = await h.request('GET', '/v2.1/flavors', { token: null, version: '9.9' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 401);
  });

  it('serves a lower configured maximum', async () => {
    // A second API on the same database, configured lower (one harness per process on PostgreSQL).
    const deps = buildComputeDeps(h.identity.config, h.db, undefined, { compute: parseComputeConfig({ maxMicroversion: '2.60' }), projects: h.deps.projects });
    const { app } = createComputeService(deps, h.identity.deps.tokens, createLogger('silent'));
    try {
      const headers = (version: string) => ({ 'x-auth-token': h.adminToken, 'openstack-api-version': `compute ${version}` });
      const res = await app.inject({ method: 'GET', url: '/v2.1/flavors', headers: headers('latest') });
      assert.equal(res.headers['openstack-api-version'], 'compute 2.60');
      assert.equal((await app.inject({ method: 'GET', url: '/v2.1/flavors', headers: headers('2.61') })).statusCode, 406);
      assert.equal((await app.inject({ method: 'GET', url: '/' })).json().versions[1].version, '2.60');
    } finally {
      await app.close();
    }
  });

  it('accepts the project id in the URL and refuses another project there', async () => {
    const ok = await h.request('GET', `/v2.1/${h.adminProjectId}/flavors`);
    assert.equal(ok.statusCode, 200);
    const bad = await h.request('GET', `/v2.1/${h.alice.projectId}/flavors`);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().badRequest.message, /^Malformed request URL: URL's project_id/);
  });

  it('answers unknown paths with itemNotFound and version-gated routes with 404 below their version', async () => {
    const res = await h.request('GET', '/v2.1/nonsense');
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    const put = await h.request('PUT', '/v2.1/flavors/x', { body: { flavor: { description: 'x' } }, version: '2.54' });
    assert.equal(put.statusCode, 404);
    assert.equal(put.headers['openstack-api-version'], 'compute 2.54');
  });
});

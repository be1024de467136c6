import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('network API versions', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('lists v2.0 as CURRENT at the root, without a token', async () => {
    const res = await h.request('GET', '/', { token: null });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().versions[0].id, 'v2.0');
  });

  it('lists the collections at /v2.0', async () => {
    const res = await h.request('GET', '/v2.0');
    assert.equal(res.statusCode, 200);
    const names = (res.json().resources as { collection: string }[]).map((r) => r.collection);
    assert.ok(names.includes('networks') && names.includes('ports'));
  });

  it('reads a body sent without Content-Type as JSON, and refuses other media types', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v2.0/networks', headers: { 'x-auth-token': h.adminToken }, payload: '{"network": {"name": "no-ct"}}' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().network.name, 'no-ct');
    const text = await h.request('POST', '/v2.0/networks', { payload: '{"network": {}}', contentType: 'text/plain' });
    assert.equal(text.statusCode, 415);
  });

  it('serves paths with a .json suffix', async () => {
    const res = await h.request('GET', '/v2.0/networks.json?name=no-ct');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().networks.length, 1);
  });

  it('answers unknown paths with a NeutronError 404', async () => {
    const res = await h.request('GET', '/v2.0/nonsense');
    assert.equal(res.statusCode, 404);
    assert.equal(typeof res.json().NeutronError.message, 'string');
  });
});

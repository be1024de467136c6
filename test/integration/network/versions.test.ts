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

  it('answers unknown paths with a NeutronError 404', async () => {
    const res = await h.request('GET', '/v2.0/nonsense');
    assert.equal(res.statusCode, 404);
    assert.equal(typeof res.json().NeutronError.message, 'string');
  });
});

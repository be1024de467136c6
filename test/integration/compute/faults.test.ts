// Nova's fault bodies for every status the compute API answers with, and the headers faults carry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

describe('compute faults', () => {
  let h: ComputeHarness;
  before(async () => {
    h = await startCompute();
    await h.createFlavor({ name: 'dup', id: 'dup', ram: 64, vcpus: 1, disk: 0 });
  });
  after(async () => { await h?.close(); });

  const fault = async (res: Awaited<ReturnType<ComputeHarness['request']>>, status: number, name: string): Promise<string> => {
    assert.equal(res.statusCode, status, res.body);
    const body = res.json();
    assert.deepEqual(Object.keys(body), [name], res.body);
    assert.equal(body[name].code, status);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.match(String(res.headers['x-openstack-request-id']), /^req-[0-9a-f-]{36}$/);
    assert.equal(res.headers['x-compute-request-id'], res.headers['x-openstack-request-id']);
    return body[name].message as string;
  };

  it('renders each status under Nova\'s fault name', async () => {
    assert.equal(await fault(await h.request('POST', '/v2.1/flavors', { body: {} }), 400, 'badRequest'), "'flavor' is a required property");
    assert.equal(await fault(await h.request('GET', '/v2.1/flavors', { token: null }), 401, 'error'), 'The request you have made requires authentication.');
    assert.match(await fault(await h.request('POST', '/v2.1/flavors', { token: h.alice.token, body: { flavor: { name: 'x', ram: 1, vcpus: 1, disk: 0 } } }), 403, 'forbidden'), /^Policy doesn't allow/);
    assert.equal(await fault(await h.request('GET', '/v2.1/flavors/none'), 404, 'itemNotFound'), 'Flavor none could not be found.');
    assert.match(await fault(await h.request('GET', '/v2.1/flavors', { version: '2.999' }), 406, 'computeFault'), /is not supported by the API/);
    assert.equal(await fault(await h.request('POST', '/v2.1/flavors', { body: { flavor: { name: 'dup', ram: 1, vcpus: 1, disk: 0 } } }), 409, 'conflictingRequest'),
      'Flavor with name dup already exists.');
    await fault(await h.request('POST', '/v2.1/flavors', { payload: JSON.stringify({ flavor: { name: 'x'.repeat(200_000) } }) }), 413, 'overLimit');
    await fault(await h.request('POST', '/v2.1/flavors', { payload: '<flavor/>', contentType: 'application/xml' }), 415, 'badMediaType');
    await fault(await h.request('POST', '/v2.1/flavors', { payload: '{"flavor": ' }), 400, 'badRequest');
  });

  it('reads a body without Content-Type as JSON, as Nova does', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v2.1/flavors', headers: { 'x-auth-token': h.adminToken }, payload: '{"flavor": {"name": "no-ct", "ram": 64, "vcpus": 1, "disk": 0}}' });
    assert.equal(res.statusCode, 200, res.body);
  });

  it('echoes the microversion on faults raised after negotiation', async () => {
    const res = await h.request('GET', '/v2.1/flavors/none', { version: '2.61' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['openstack-api-version'], 'compute 2.61');
    assert.equal(res.headers['x-openstack-nova-api-version'], '2.61');
  });
});

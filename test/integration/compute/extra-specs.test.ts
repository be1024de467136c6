// Flavor extra specs through the real compute app: CRUD, Nova's responses, policy, and the
// validation of known namespaces from microversion 2.86.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

describe('compute flavor extra specs', () => {
  let h: ComputeHarness;
  const base = '/v2.1/flavors/es/os-extra_specs';
  before(async () => {
    h = await startCompute();
    await h.createFlavor({ name: 'f-es', id: 'es', ram: 64, vcpus: 1, disk: 0 });
  });
  after(async () => { await h?.close(); });

  it('creates, merges, shows, updates and deletes specs', async () => {
    const created = await h.request('POST', base, { body: { extra_specs: { 'hw:numa_nodes': '1', 'hw:cpu_policy': 'shared', custom: 5 } } });
    assert.equal(created.statusCode, 200, created.body);
    assert.deepEqual(created.json(), { extra_specs: { 'hw:numa_nodes': '1', 'hw:cpu_policy': 'shared', custom: 5 } });
    await h.request('POST', base, { body: { extra_specs: { 'hw:numa_nodes': '2' } } });
    const listed = await h.request('GET', base, { token: h.alice.token });
    assert.deepEqual(listed.json(), { extra_specs: { custom: '5', 'hw:cpu_policy': 'shared', 'hw:numa_nodes': '2' } });
    const one = await h.request('GET', `${base}/hw:cpu_policy`, { token: h.alice.token });
    assert.deepEqual(one.json(), { 'hw:cpu_policy': 'shared' });
    const updated = await h.request('PUT', `${base}/hw:cpu_policy`, { body: { 'hw:cpu_policy': 'dedicated' } });
    assert.deepEqual(updated.json(), { 'hw:cpu_policy': 'dedicated' });
    const shown = await h.request('GET', '/v2.1/flavors/es', { version: '2.61', token: h.alice.token });
    assert.equal(shown.json().flavor.extra_specs['hw:cpu_policy'], 'dedicated');
    const detail = await h.request('GET', '/v2.1/flavors/detail', { version: '2.61' });
    assert.equal(detail.json().flavors.find((f: { id: string }) => f.id === 'es').extra_specs.custom, '5');
    const removed = await h.request('DELETE', `${base}/custom`);
    assert.equal(removed.statusCode, 200);
    assert.equal(removed.body, '');
    const gone = await h.request('GET', `${base}/custom`);
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().itemNotFound.message, 'Flavor es has no extra specs with key custom.');
    assert.equal((await h.request('DELETE', `${base}/custom`)).statusCode, 404);
  });

  it('refuses bad bodies and URI mismatches', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', base, { extra_specs: { 'bad/key': 'x' } }, /does not match any of the regexes/],
      ['POST', base, { extra_specs: { k: true } }, /is not of type 'string', 'number'$/],
      ['POST', base, { extra_specs: { k: 'x'.repeat(256) } }, /is too long$/],
      ['POST', base, { specs: {} }, /Additional properties are not allowed|'extra_specs' is a required property/],
      ['PUT', `${base}/a`, { b: 'x' }, /^Request body and URI mismatch$/],
      ['PUT', `${base}/a`, { a: 'x', b: 'y' }, /has too many properties$/],
      ['PUT', `${base}/a`, {}, /does not have enough properties$/],
    ];
    for (const [method, url, body, message] of cases) {
      const res = await h.request(method, url, { body });
      assert.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(body)}`);
      assert.match(res.json().badRequest.message, message);
    }
  });

  it('validates known namespaces from 2.86 only', async () => {
    const bad = [
      [{ 'hw:cpu_policy': 'sometimes' }, "Validation failed; 'sometimes' is not one of: dedicated, shared, mixed."],
      [{ 'hw:numa_nodes': '0' }, "Validation failed; '0' is less than the min value of '1'."],
      [{ 'hw:numa_nodes': 'x' }, "Validation failed; 'x' is not a valid integer value."],
      [{ 'hw:boot_menu': 'maybe' }, "Validation failed; 'maybe' is not a valid boolean-like value."],
      [{ 'hw:frobnicate': '1' }, "Validation failed; extra spec 'hw:frobnicate' does not appear to be a valid extra spec."],
      [{ 'resources:VCPU': '-1' }, "Validation failed; '-1' is less than the min value of '0'."],
      [{ 'trait:HW_CPU_X86_AVX': 'wanted' }, "Validation failed; 'wanted' is not one of: required, forbidden."],
    ] as const;
    for (const [specs, message] of bad) {
      const res = await h.request('POST', base, { version: '2.86', body: { extra_specs: specs } });
      assert.equal(res.statusCode, 400, JSON.stringify(specs));
      assert.equal(res.json().badRequest.message, message);
      const before = await h.request('POST', base, { version: '2.85', body: { extra_specs: specs } });
      assert.equal(before.statusCode, 200, JSON.stringify(specs));
    }
    const good = await h.request('POST', base, {
      version: '2.86',
      body: { extra_specs: { 'hw:numa_cpus.0': '0-1', 'resources1:CUSTOM_GOLD': '1', 'trait:CUSTOM_X': 'required', 'quota:anything': 'x', plain: 'y', 'hw:mem_page_size': '2MB' } },
    });
    assert.equal(good.statusCode, 200, good.body);
  });

  it('applies Nova\'s policy: readers list, admins change', async () => {
    const reader = await h.tenant('reader');
    assert.equal((await h.request('GET', base, { token: reader.token })).statusCode, 200);
    for (const [method, url, body] of [['POST', base, { extra_specs: { a: 'b' } }], ['PUT', `${base}/a`, { a: 'b' }], ['DELETE', `${base}/hw:numa_nodes`, undefined]] as const) {
      const res = await h.request(method, url, { token: h.alice.token, ...(body !== undefined ? { body } : {}) });
      assert.equal(res.statusCode, 403, `${method} ${url}`);
      assert.match(res.json().forbidden.message, /^Policy doesn't allow os_compute_api:os-flavor-extra-specs:\w+ to be performed\.$/);
    }
    const missing = await h.request('GET', '/v2.1/flavors/nope/os-extra_specs');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().itemNotFound.message, 'Flavor nope could not be found.');
  });

  it('hides extra specs of a private flavor from projects without access', async () => {
    await h.createFlavor({ name: 'f-es-priv', id: 'es-priv', ram: 64, vcpus: 1, disk: 0, 'os-flavor-access:is_public': false });
    assert.equal((await h.request('GET', '/v2.1/flavors/es-priv/os-extra_specs', { token: h.alice.token })).statusCode, 404);
  });
});

// Flavors through the real compute app: create/show/list/delete, filters, sorting, paging and
// links, fields by microversion, private flavors and their access lists.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { ensureFlavors } from '../../../src/compute/domain/flavors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('compute flavors', () => {
  let h: ComputeHarness;
  before(async () => {
    h = await startCompute();
    await h.createFlavor({ name: 'm1.tiny', id: '1', ram: 512, vcpus: 1, disk: 1 });
    await h.createFlavor({ name: 'm1.small', id: '2', ram: 2048, vcpus: 1, disk: 20 });
    await h.createFlavor({ name: 'm1.medium', id: '3', ram: 4096, vcpus: 2, disk: 40, 'OS-FLV-EXT-DATA:ephemeral': 5, swap: 512 });
  });
  after(async () => { await h?.close(); });

  it('creates a flavor with Nova\'s full view at 2.1', async () => {
    const res = await h.request('POST', '/v2.1/flavors', { body: { flavor: { name: 'f-full', id: 'full', ram: '1024', vcpus: 2, disk: '10' } } });
    assert.equal(res.statusCode, 200, res.body);
    const f = res.json().flavor;
    assert.deepEqual(Object.keys(f), ['id', 'name', 'ram', 'disk', 'swap', 'OS-FLV-EXT-DATA:ephemeral', 'OS-FLV-DISABLED:disabled', 'vcpus',
      'os-flavor-access:is_public', 'rxtx_factor', 'links']);
    assert.equal(f.id, 'full');
    assert.equal(f.ram, 1024);
    assert.equal(f.disk, 10);
    assert.equal(f.swap, '');
    assert.equal(f['OS-FLV-EXT-DATA:ephemeral'], 0);
    assert.equal(f['OS-FLV-DISABLED:disabled'], false);
    assert.equal(f['os-flavor-access:is_public'], true);
    assert.equal(f.rxtx_factor, 1);
    assert.deepEqual(f.links, [
      { rel: 'self', href: 'http://localhost:80/v2.1/flavors/full' },
      { rel: 'bookmark', href: 'http://localhost:80/flavors/full' },
    ]);
  });

  it('generates a UUID id when none (or null, or 0) is given, and stringifies numeric ids', async () => {
    for (const [name, id] of [['f-auto1', undefined], ['f-auto2', null], ['f-auto3', 0]] as const) {
      const f = await h.createFlavor({ name, ram: 64, vcpus: 1, disk: 0, ...(id !== undefined ? { id } : {}) });
      assert.match(f.id, UUID, name);
    }
    const f = await h.createFlavor({ name: 'f-num', id: 4242, ram: 64, vcpus: 1, disk: 0 });
    assert.equal(f.id, '4242');
  });

  it('refuses duplicate ids and names with 409', async () => {
    const id = await h.request('POST', '/v2.1/flavors', { body: { flavor: { name: 'other', id: '1', ram: 64, vcpus: 1, disk: 0 } } });
    assert.equal(id.statusCode, 409);
    assert.equal(id.json().conflictingRequest.message, 'Flavor with ID 1 already exists.');
    const name = await h.request('POST', '/v2.1/flavors', { body: { flavor: { name: 'm1.tiny', ram: 64, vcpus: 1, disk: 0 } } });
    assert.equal(name.statusCode, 409);
    assert.equal(name.json().conflictingRequest.message, 'Flavor with name m1.tiny already exists.');
  });

  it('validates the body as Nova does', async () => {
    const cases: [unknown, RegExp][] = [
      [{ flavor: { ram: 64, vcpus: 1, disk: 0 } }, /^Invalid input for field\/attribute flavor\. Value: .*'name' is a required property$/],
      [{ flavor: { name: 'x', ram: 0, vcpus: 1, disk: 0 } }, /^Invalid input for field\/attribute ram\. Value: 0\. 0 is less than the minimum of 1$/],
      [{ flavor: { name: 'x', ram: '0', vcpus: 1, disk: 0 } }, /^Invalid input received: ram must be >= 1$/],
      [{ flavor: { name: 'x', ram: 'abc', vcpus: 1, disk: 0 } }, /does not match '\^\[0-9\]\*\$'$/],
      [{ flavor: { name: 'x', ram: 64, vcpus: 1, disk: -1 } }, /less than the minimum of 0$/],
      [{ flavor: { name: 'x', ram: 64, vcpus: 1, disk: 0, bogus: 1 } }, /Additional properties are not allowed \('bogus' was unexpected\)$/],
      [{ flavor: { name: ' x', ram: 64, vcpus: 1, disk: 0 } }, /^An invalid 'name' value was provided\. The name must be: printable characters\. Can not start or end with whitespace\.$/],
      [{ flavor: { name: 'x', id: 'a/b', ram: 64, vcpus: 1, disk: 0 } }, /does not match/],
      [{ flavor: { name: 'x', ram: 64, vcpus: 1, disk: 0, rxtx_factor: 0 } }, /less than or equal to the minimum of 0$/],
      [{ flavor: { name: 'x', ram: 64, vcpus: 1, disk: 0, 'os-flavor-access:is_public': 'maybe' } }, /is not one of/],
      [{ flavor: { name: 'x', ram: 64, vcpus: 1, disk: 0, description: 'd' } }, /Additional properties are not allowed \('description' was unexpected\)$/],
      [{ flavors: {} }, /^Additional properties are not allowed|'flavor' is a required property$/],
      [[], /^\[\] is not of type 'object'$/],
    ];
    for (const [body, message] of cases) {
      const res = await h.request('POST', '/v2.1/flavors', { body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.match(res.json().badRequest.message, message, JSON.stringify(body));
    }
    const empty = await h.request('POST', '/v2.1/flavors');
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().badRequest.message, "None is not of type 'object'");
  });

  it('lets only admins create, update and delete flavors', async () => {
    const create = await h.request('POST', '/v2.1/flavors', { token: h.alice.token, body: { flavor: { name: 'mine', ram: 64, vcpus: 1, disk: 0 } } });
    assert.equal(create.statusCode, 403);
    assert.equal(create.json().forbidden.message, "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.");
    assert.equal((await h.request('DELETE', '/v2.1/flavors/1', { token: h.alice.token })).statusCode, 403);
    assert.equal((await h.request('PUT', '/v2.1/flavors/1', { token: h.alice.token, version: '2.55', body: { flavor: { description: 'x' } } })).statusCode, 403);
  });

  it('lists brief and detailed flavors sorted by flavorid, with filters', async () => {
    const brief = await h.request('GET', '/v2.1/flavors', { token: h.alice.token });
    assert.equal(brief.statusCode, 200);
    const ids = (brief.json().flavors as { id: string }[]).map((f) => f.id);
    assert.deepEqual(ids.filter((id) => ['1', '2', '3', 'full'].includes(id)), ['1', '2', '3', 'full']);
    assert.deepEqual([...ids].sort(), ids);
    assert.deepEqual(Object.keys(brief.json().flavors[0]), ['id', 'name', 'links']);
    const detail = await h.request('GET', '/v2.1/flavors/detail?minRam=2048&minDisk=30', { token: h.alice.token });
    assert.deepEqual((detail.json().flavors as { id: string }[]).map((f) => f.id), ['3']);
    const byRam = await h.request('GET', '/v2.1/flavors?sort_key=memory_mb&sort_dir=desc&minRam=512');
    const names = (byRam.json().flavors as { name: string }[]).map((f) => f.name);
    assert.deepEqual(names.slice(0, 3), ['m1.medium', 'm1.small', 'f-full']);
    for (const [query, message] of [['minRam=abc', 'Invalid minRam filter [abc]'], ['minDisk=1.5', 'Invalid minDisk filter [1.5]'],
      ['is_public=maybe', 'Invalid is_public filter [maybe]']]) {
      const bad = await h.request('GET', `/v2.1/flavors?${query}`);
      assert.equal(bad.statusCode, 400, query);
      assert.equal(bad.json().badRequest.message, message);
    }
    const badSort = await h.request('GET', '/v2.1/flavors?sort_key=bogus');
    assert.equal(badSort.statusCode, 400);
  });

  it('pages with limit and marker and gives a next link for a full page', async () => {
    const first = await h.request('GET', '/v2.1/flavors?minRam=2048&limit=1');
    const body = first.json();
    assert.deepEqual(body.flavors.map((f: { id: string }) => f.id), ['2']);
    assert.equal(body.flavors_links[0].rel, 'next');
    assert.equal(body.flavors_links[0].href, 'http://localhost:80/v2.1/flavors?limit=1&minRam=2048&marker=2');
    const second = await h.request('GET', '/v2.1/flavors/detail?minRam=2048&limit=1&marker=2');
    assert.equal(second.json().flavors[0].id, '3');
    assert.match(second.json().flavors_links[0].href, /\/v2\.1\/flavors\/detail\?limit=1&marker=3&minRam=2048$/);
    const third = await h.request('GET', '/v2.1/flavors/detail?minRam=2048&limit=1&marker=3');
    assert.deepEqual(third.json(), { flavors: [] });
    const desc = await h.request('GET', '/v2.1/flavors?minRam=2048&sort_dir=desc&marker=3');
    assert.deepEqual(desc.json().flavors.map((f: { id: string }) => f.id), ['2']);
    const all = await h.request('GET', '/v2.1/flavors');
    assert.equal(all.json().flavors_links, undefined);
    const badMarker = await h.request('GET', '/v2.1/flavors?marker=nope');
    assert.equal(badMarker.statusCode, 400);
    assert.equal(badMarker.json().badRequest.message, 'Marker nope could not be found.');
    const badLimit = await h.request('GET', '/v2.1/flavors?limit=-1');
    assert.equal(badLimit.statusCode, 400);
    assert.match(badLimit.json().badRequest.message, /^Invalid input for query parameters limit\. Value: -1\./);
    const zero = await h.request('GET', '/v2.1/flavors?limit=0');
    assert.deepEqual(zero.json().flavors, []);
  });

  it('shows description from 2.55, extra_specs from 2.61 and integer swap from 2.75', async () => {
    const created = await h.createFlavor({ name: 'f-desc', id: 'desc', ram: 64, vcpus: 1, disk: 0, description: 'small one' }, '2.55');
    assert.equal(created.description, 'small one');
    assert.equal(created.extra_specs, undefined);
    const at254 = (await h.request('GET', '/v2.1/flavors/desc', { version: '2.54' })).json().flavor;
    assert.equal(at254.description, undefined);
    const at261 = (await h.request('GET', '/v2.1/flavors/desc', { version: '2.61' })).json().flavor;
    assert.deepEqual(at261.extra_specs, {});
    assert.equal(at261.swap, '');
    const at275 = (await h.request('GET', '/v2.1/flavors/desc', { version: '2.75' })).json().flavor;
    assert.equal(at275.swap, 0);
    const brief = (await h.request('GET', '/v2.1/flavors?limit=1000', { version: '2.55' })).json().flavors as Record<string, unknown>[];
    assert.ok(brief.every((f) => 'description' in f));
    const created61 = await h.createFlavor({ name: 'f-61', ram: 64, vcpus: 1, disk: 0 }, '2.61');
    assert.deepEqual(created61.extra_specs, {});
    const updated = await h.request('PUT', '/v2.1/flavors/desc', { version: '2.55', body: { flavor: { description: null } } });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.json().flavor.description, null);
    const badUpdate = await h.request('PUT', '/v2.1/flavors/desc', { version: '2.55', body: { flavor: { name: 'x' } } });
    assert.equal(badUpdate.statusCode, 400);
    const missing = await h.request('PUT', '/v2.1/flavors/nope', { version: '2.55', body: { flavor: { description: 'x' } } });
    assert.equal(missing.statusCode, 404);
  });

  it('deletes with 202 and then answers 404', async () => {
    await h.createFlavor({ name: 'f-del', id: 'del', ram: 64, vcpus: 1, disk: 0 });
    const res = await h.request('DELETE', '/v2.1/flavors/del');
    assert.equal(res.statusCode, 202);
    assert.equal(res.body, '');
    const gone = await h.request('GET', '/v2.1/flavors/del');
    assert.equal(gone.statusCode, 404);
    assert.deepEqual(gone.json(), { itemNotFound: { code: 404, message: 'Flavor del could not be found.' } });
    assert.equal((await h.request('DELETE', '/v2.1/flavors/del')).statusCode, 404);
  });

  it('hides private flavors from projects without access, and shares them through access lists', async () => {
    await h.createFlavor({ name: 'f-private', id: 'priv', ram: 64, vcpus: 1, disk: 0, 'os-flavor-access:is_public': false });
    const hidden = await h.request('GET', '/v2.1/flavors/priv', { token: h.alice.token });
    assert.equal(hidden.statusCode, 404);
    const aliceList = (await h.request('GET', '/v2.1/flavors', { token: h.alice.token })).json().flavors as { id: string }[];
    assert.ok(!aliceList.some((f) => f.id === 'priv'));
    const adminPublic = (await h.request('GET', '/v2.1/flavors')).json().flavors as { id: string }[];
    assert.ok(!adminPublic.some((f) => f.id === 'priv'));
    const adminPrivate = (await h.request('GET', '/v2.1/flavors?is_public=false')).json().flavors as { id: string }[];
    assert.deepEqual(adminPrivate.map((f) => f.id), ['priv']);
    const adminAll = (await h.request('GET', '/v2.1/flavors?is_public=None')).json().flavors as { id: string }[];
    assert.ok(adminAll.some((f) => f.id === 'priv') && adminAll.some((f) => f.id === '1'));

    const empty = await h.request('GET', '/v2.1/flavors/priv/os-flavor-access');
    assert.deepEqual(empty.json(), { flavor_access: [] });
    const add = await h.request('POST', '/v2.1/flavors/priv/action', { body: { addTenantAccess: { tenant: h.alice.projectId } } });
    assert.equal(add.statusCode, 200, add.body);
    assert.deepEqual(add.json(), { flavor_access: [{ flavor_id: 'priv', tenant_id: h.alice.projectId }] });
    const again = await h.request('POST', '/v2.1/flavors/priv/action', { body: { addTenantAccess: { tenant: h.alice.projectId } } });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().conflictingRequest.message, `Flavor access already exists for flavor priv and project ${h.alice.projectId} combination.`);

    assert.equal((await h.request('GET', '/v2.1/flavors/priv', { token: h.alice.token })).statusCode, 200);
    const nowListed = (await h.request('GET', '/v2.1/flavors', { token: h.alice.token })).json().flavors as { id: string }[];
    assert.ok(nowListed.some((f) => f.id === 'priv'));
    assert.equal((await h.request('GET', '/v2.1/flavors/priv', { token: h.bob.token })).statusCode, 404);

    const notMine = await h.request('POST', '/v2.1/flavors/priv/action', { token: h.alice.token, body: { addTenantAccess: { tenant: h.bob.projectId } } });
    assert.equal(notMine.statusCode, 403);
    assert.equal((await h.request('GET', '/v2.1/flavors/priv/os-flavor-access', { token: h.alice.token })).statusCode, 403);

    const remove = await h.request('POST', '/v2.1/flavors/priv/action', { body: { removeTenantAccess: { tenant: h.alice.projectId } } });
    assert.deepEqual(remove.json(), { flavor_access: [] });
    const removeAgain = await h.request('POST', '/v2.1/flavors/priv/action', { body: { removeTenantAccess: { tenant: h.alice.projectId } } });
    assert.equal(removeAgain.statusCode, 404);
    assert.equal((await h.request('GET', '/v2.1/flavors/priv', { token: h.alice.token })).statusCode, 404);
  });

  it('checks access requests: public flavors, unknown projects, bad actions', async () => {
    const publicList = await h.request('GET', '/v2.1/flavors/1/os-flavor-access');
    assert.equal(publicList.statusCode, 404);
    assert.equal(publicList.json().itemNotFound.message, 'Access list not available for public flavors.');
    const at27 = await h.request('POST', '/v2.1/flavors/1/action', { version: '2.7', body: { addTenantAccess: { tenant: h.alice.projectId } } });
    assert.equal(at27.statusCode, 409);
    assert.equal(at27.json().conflictingRequest.message, 'Can not add access to a public flavor.');
    const unknown = await h.request('POST', '/v2.1/flavors/priv/action', { body: { addTenantAccess: { tenant: 'no-such-project' } } });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().badRequest.message, 'Project ID no-such-project is not a valid project.');
    const noFlavor = await h.request('POST', '/v2.1/flavors/nope/action', { body: { addTenantAccess: { tenant: h.alice.projectId } } });
    assert.equal(noFlavor.statusCode, 404);
    const badAction = await h.request('POST', '/v2.1/flavors/priv/action', { body: { frobnicate: {} } });
    assert.equal(badAction.statusCode, 400);
    assert.equal(badAction.json().badRequest.message, 'There is no such action: frobnicate');
    const twoKeys = await h.request('POST', '/v2.1/flavors/priv/action', { body: { addTenantAccess: {}, removeTenantAccess: {} } });
    assert.equal(twoKeys.json().badRequest.message, 'Malformed request body');
    const noTenant = await h.request('POST', '/v2.1/flavors/priv/action', { body: { addTenantAccess: {} } });
    assert.equal(noTenant.statusCode, 400);
    assert.match(noTenant.json().badRequest.message, /'tenant' is a required property/);
  });

  it('lists only enabled flavors to non-admins', async () => {
    await h.createFlavor({ name: 'f-disabled', id: 'disabled', ram: 64, vcpus: 1, disk: 0 });
    await h.db.updateTable('nova_flavor').set({ disabled: 1 }).where('flavorid', '=', 'disabled').execute();
    const alice = (await h.request('GET', '/v2.1/flavors', { token: h.alice.token })).json().flavors as { id: string }[];
    assert.ok(!alice.some((f) => f.id === 'disabled'));
    const admin = (await h.request('GET', '/v2.1/flavors')).json().flavors as { id: string }[];
    assert.ok(admin.some((f) => f.id === 'disabled'));
    const shown = await h.request('GET', '/v2.1/flavors/disabled', { token: h.alice.token });
    assert.equal(shown.json().flavor['OS-FLV-DISABLED:disabled'], true);
  });

  it('bootstraps DevStack\'s flavors once, leaving existing ids and names alone', async () => {
    const created = await ensureFlavors(h.db);
    assert.deepEqual(created, ['42', '84', '4', '5']);
    assert.deepEqual(await ensureFlavors(h.db), []);
    const nano = (await h.request('GET', '/v2.1/flavors/42', { token: h.alice.token })).json().flavor;
    assert.deepEqual([nano.name, nano.ram, nano.vcpus, nano.disk], ['m1.nano', 128, 1, 1]);
  });
});

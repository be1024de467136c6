import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startImage, type ImageHarness } from '../../support/image-harness.js';

describe('image records: create, show, delete', () => {
  let h: ImageHarness;
  before(async () => { h = await startImage(); });
  after(async () => h.close());

  test('create returns 201 with Glance defaults, headers and links; show returns the same view', async () => {
    const res = await h.request('POST', '/v2/images', {
      token: h.alice.token,
      body: { name: 'cirros', disk_format: 'qcow2', container_format: 'bare', tags: ['a', 'b', 'a'], os_distro: 'cirros', ramdisk_id: randomUUID() },
    });
    assert.equal(res.statusCode, 201, res.body);
    const image = res.json();
    assert.match(image.id, /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.location, `http://localhost:80/v2/images/${image.id}`);
    assert.equal(res.headers['openstack-image-import-methods'], 'glance-direct');
    assert.equal(res.headers['openstack-image-store-ids'], 'file');
    assert.equal(image.status, 'queued');
    assert.equal(image.visibility, 'shared', 'Glance (since Ocata) defaults to shared');
    assert.equal(image.owner, h.alice.projectId);
    assert.equal(image.protected, false);
    assert.equal(image.os_hidden, false);
    assert.equal(image.min_disk, 0);
    assert.equal(image.size, null);
    assert.deepEqual(image.tags.sort(), ['a', 'b'], 'tags are a set');
    assert.equal(image.os_distro, 'cirros');
    assert.equal(image.self, `/v2/images/${image.id}`);
    assert.equal(image.file, `/v2/images/${image.id}/file`);
    assert.equal(image.schema, '/v2/schemas/image');
    assert.match(image.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal('stores' in image, false, 'no stores before data');
    const shown = await h.request('GET', `/v2/images/${image.id}`, { token: h.alice.token });
    assert.equal(shown.statusCode, 200);
    assert.deepEqual(shown.json(), image);
  });

  test('a client-chosen id is kept; a duplicate id is 409', async () => {
    const id = randomUUID();
    const image = await h.createImage({ id, name: 'fixed' });
    assert.equal(image.id, id);
    const again = await h.request('POST', '/v2/images', { body: { id } });
    assert.equal(again.statusCode, 409);
    assert.match(again.json().message, /already exists/);
    assert.equal(again.json().code, '409 Conflict');
    assert.equal(again.json().title, 'Conflict');
  });

  test('bad values are 400 and reserved or read-only attributes are 403; nothing is created', async () => {
    const before = (await h.db.selectFrom('image').select('id').execute()).length;
    const cases: [Record<string, unknown>, number][] = [
      [{ disk_format: 'wrong' }, 400], [{ container_format: 'wrong' }, 400], [{ visibility: 'everyone' }, 400],
      [{ min_disk: -1 }, 400], [{ min_ram: 2 ** 31 }, 400], [{ min_ram: '5' }, 400], [{ protected: 'yes' }, 400],
      [{ name: 'x'.repeat(256) }, 400], [{ id: 'not-a-uuid' }, 400], [{ tags: ['x'.repeat(256)] }, 400],
      [{ tags: 'flat' }, 400], [{ custom: 5 }, 400], [{ custom: null }, 400], [{ kernel_id: 'nope' }, 400],
      [{ ['k'.repeat(256)]: 'v' }, 400],
      [{ os_glance_foo: 'bar' }, 403], [{ deleted: 'x' }, 403], [{ location: 'x' }, 403],
      [{ status: 'active' }, 403], [{ size: 5 }, 403], [{ checksum: 'x' }, 403], [{ self: '/x' }, 403],
      [{ file: '/x' }, 403], [{ schema: '/x' }, 403], [{ stores: 'file' }, 403], [{ os_hash_value: 'x' }, 403],
    ];
    for (const [body, status] of cases) {
      const res = await h.request('POST', '/v2/images', { body, token: h.alice.token });
      assert.equal(res.statusCode, status, `${JSON.stringify(body).slice(0, 60)}: ${res.body}`);
    }
    const array = await h.request('POST', '/v2/images', { body: [], token: h.alice.token });
    assert.equal(array.statusCode, 400);
    const empty = await h.request('POST', '/v2/images', { payload: '', contentType: 'application/json', token: h.alice.token });
    assert.equal(empty.statusCode, 400);
    assert.equal((await h.db.selectFrom('image').select('id').execute()).length, before);
  });

  test('only admins publish public images, and only admins register images for other projects', async () => {
    const pub = await h.request('POST', '/v2/images', { body: { visibility: 'public' }, token: h.alice.token });
    assert.equal(pub.statusCode, 403);
    assert.match(pub.json().message, /publicize_image/);
    const other = await h.request('POST', '/v2/images', { body: { owner: h.bob.projectId }, token: h.alice.token });
    assert.equal(other.statusCode, 403);
    const community = await h.request('POST', '/v2/images', { body: { visibility: 'community' }, token: h.alice.token });
    assert.equal(community.statusCode, 201, 'communitize_image is open to project members');
    const adminPub = await h.createImage({ visibility: 'public', owner: h.bob.projectId });
    assert.equal(adminPub.visibility, 'public');
    assert.equal(adminPub.owner, h.bob.projectId);
  });

  test('unknown and empty ids are 404; GET /v2/images/ is not the list', async () => {
    for (const [method, url] of [['GET', `/v2/images/${randomUUID()}`], ['DELETE', `/v2/images/${randomUUID()}`],
      ['GET', '/v2/images/'], ['DELETE', '/v2/images/'], ['GET', `/v2/images/${'x'.repeat(300)}`]] as const) {
      const res = await h.request(method, url);
      assert.equal(res.statusCode, 404, `${method} ${url.slice(0, 50)}`);
      assert.equal(res.json().code, '404 Not Found');
    }
  });

  test('no token is 401; a private image of another project is 404 to show and delete', async () => {
    assert.equal((await h.request('GET', '/v2/images', { token: null })).statusCode, 401);
    const image = await h.createImage({ name: 'secret', visibility: 'private' }, h.alice.token);
    assert.equal((await h.request('GET', `/v2/images/${image.id}`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await h.request('GET', `/v2/images/${image.id}`)).statusCode, 200, 'admins see every image');
  });

  test('delete: protected is 403, a public image of another project is 403, the owner deletes (204, then 404)', async () => {
    const image = await h.createImage({ name: 'keep', protected: true }, h.alice.token);
    const refused = await h.request('DELETE', `/v2/images/${image.id}`, { token: h.alice.token });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json().message, /protected/);
    const pub = await h.createImage({ visibility: 'public', owner: h.alice.projectId });
    assert.equal((await h.request('DELETE', `/v2/images/${pub.id}`, { token: h.bob.token })).statusCode, 403);
    const unprotect = await h.request('PATCH', `/v2/images/${image.id}`, {
      token: h.alice.token, contentType: 'application/openstack-images-v2.1-json-patch', body: [{ op: 'replace', path: '/protected', value: false }],
    });
    assert.equal(unprotect.statusCode, 200, unprotect.body);
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}`, { token: h.alice.token })).statusCode, 204);
    assert.equal((await h.request('GET', `/v2/images/${image.id}`, { token: h.alice.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}`, { token: h.alice.token })).statusCode, 404);
    assert.equal((await h.db.selectFrom('image_tag').selectAll().where('image_id', '=', image.id).execute()).length, 0);
  });

  test('tags: PUT adds (idempotent), DELETE removes, unknown tag or image is 404, others may not tag', async () => {
    const image = await h.createImage({ name: 'tagged' }, h.alice.token);
    for (let i = 0; i < 2; i++) assert.equal((await h.request('PUT', `/v2/images/${image.id}/tags/blue`, { token: h.alice.token })).statusCode, 204);
    assert.deepEqual((await h.request('GET', `/v2/images/${image.id}`, { token: h.alice.token })).json().tags, ['blue']);
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}/tags/green`, { token: h.alice.token })).statusCode, 404);
    assert.equal((await h.request('PUT', `/v2/images/${randomUUID()}/tags/x`, { token: h.alice.token })).statusCode, 404);
    const pub = await h.createImage({ visibility: 'public', owner: h.alice.projectId });
    assert.equal((await h.request('PUT', `/v2/images/${pub.id}/tags/x`, { token: h.bob.token })).statusCode, 403);
    assert.equal((await h.request('PUT', `/v2/images/${image.id}/tags/${'t'.repeat(256)}`, { token: h.alice.token })).statusCode, 400);
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}/tags/blue`, { token: h.alice.token })).statusCode, 204);
    assert.deepEqual((await h.request('GET', `/v2/images/${image.id}`, { token: h.alice.token })).json().tags, []);
  });
});

// Its own harness, started after the one above is closed (two live harnesses cannot share a
// PostgreSQL database: the migrator would see the other schema's tables).
describe('image count quota', () => {
  let q: ImageHarness;
  before(async () => { q = await startImage({ image: { quotaImageCount: 2 } }); });
  after(async () => q.close());

  test('creating past quotaImageCount is 413, per project', async () => {
    await q.createImage({ name: 'one' }, q.alice.token);
    await q.createImage({ name: 'two' }, q.alice.token);
    const third = await q.request('POST', '/v2/images', { body: { name: 'three' }, token: q.alice.token });
    assert.equal(third.statusCode, 413, third.body);
    assert.equal((await q.request('POST', '/v2/images', { body: { name: 'bob' }, token: q.bob.token })).statusCode, 201, 'quotas are per project');
  });
});

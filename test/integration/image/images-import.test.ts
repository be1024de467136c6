import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startImage, type ImageHarness } from '../../support/image-harness.js';
import { blob, md5, qcow2 } from '../../support/image-data.js';

describe('interoperable import (glance-direct), tasks and info', () => {
  let h: ImageHarness;
  before(async () => { h = await startImage(); });
  after(async () => h.close());

  const stage = (id: string, data: Buffer, token = h.alice.token) =>
    h.request('PUT', `/v2/images/${id}/stage`, { token, payload: data, contentType: 'application/octet-stream' });
  const importIt = (id: string, body: unknown = { method: { name: 'glance-direct' } }, token = h.alice.token) =>
    h.request('POST', `/v2/images/${id}/import`, { token, body });
  const show = async (id: string) => (await h.request('GET', `/v2/images/${id}`, { token: h.alice.token })).json();

  test('info: import methods, the one store, usage', async () => {
    const methods = await h.request('GET', '/v2/info/import', { token: h.alice.token });
    assert.deepEqual(methods.json()['import-methods'].value, ['glance-direct']);
    const stores = await h.request('GET', '/v2/info/stores', { token: h.alice.token });
    assert.deepEqual(stores.json().stores.map((s: { id: string }) => s.id), ['file']);
    assert.equal((await h.request('GET', '/v2/info/stores/detail', { token: h.alice.token })).statusCode, 403);
    assert.equal((await h.request('GET', '/v2/info/stores/detail')).statusCode, 200);
    const usage = (await h.request('GET', '/v2/info/usage', { token: h.alice.token })).json().usage;
    assert.equal(typeof usage.image_count_total.usage, 'number');
    assert.equal((await h.request('GET', '/v2/info/import', { token: null })).statusCode, 401);
  });

  test('stage (uploading) then import (active); the task records method and request id', async () => {
    const data = blob(5000);
    const image = await h.createImage({ name: 'imp', disk_format: 'raw', container_format: 'bare', visibility: 'private' }, h.alice.token);
    assert.equal((await stage(image.id, data)).statusCode, 204);
    assert.equal((await show(image.id)).status, 'uploading');
    assert.equal((await h.request('GET', `/v2/images/${image.id}/file`, { token: h.alice.token })).statusCode, 204);
    assert.equal((await stage(image.id, data)).statusCode, 409, 'already staged');
    const res = await importIt(image.id, { method: { name: 'glance-direct' }, all_stores: true });
    assert.equal(res.statusCode, 202, res.body);
    const shown = await show(image.id);
    assert.equal(shown.status, 'active');
    assert.equal(shown.size, 5000);
    assert.equal(shown.checksum, md5(data));
    assert.equal(shown.stores, 'file');
    assert.ok((await h.request('GET', `/v2/images/${image.id}/file`, { token: h.alice.token })).rawPayload.equals(data));
    const tasks = (await h.request('GET', `/v2/images/${image.id}/tasks`, { token: h.alice.token })).json().tasks;
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].status, 'success');
    assert.equal(tasks[0].type, 'api_image_import');
    assert.equal(tasks[0].request_id, res.headers['x-openstack-request-id']);
    assert.equal(tasks[0].input.import_req.method.name, 'glance-direct');
    assert.equal(tasks[0].image_id, image.id);
    assert.equal(await h.deps.store.exists('staging', image.id), false);
    assert.equal((await importIt(image.id)).statusCode, 409, 'an active image cannot be imported into');
    assert.equal((await h.request('GET', `/v2/images/${image.id}/tasks`, { token: h.bob.token })).statusCode, 404);
  });

  test('import refusals: not staged 409, bad bodies 400, missing formats 409, other projects 404', async () => {
    const image = await h.createImage({ name: 'queued' }, h.alice.token);
    assert.equal((await importIt(image.id)).statusCode, 409);
    for (const body of [{}, { method: 'glance-direct' }, { method: {} }, { method: { name: 'web-download' } }, { method: { name: 'glance-direct' }, all_stores: 'yes' }, []]) {
      const res = await importIt(image.id, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
    }
    assert.equal((await importIt(image.id, { method: { name: 'glance-direct' }, stores: ['ceph'] })).statusCode, 409);
    assert.equal((await stage(image.id, blob(100))).statusCode, 204);
    assert.equal((await importIt(image.id)).statusCode, 409, 'formats must be set before import');
    assert.equal((await importIt(image.id, undefined, h.bob.token)).statusCode, 404);
    assert.equal((await show(image.id)).status, 'uploading');
  });

  test('the same format and safety checks as upload: a refused import fails its task and returns the image to queued', async () => {
    const image = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    assert.equal((await stage(image.id, qcow2(1 << 20))).statusCode, 204);
    const res = await importIt(image.id);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal((await show(image.id)).status, 'queued');
    assert.equal(await h.deps.store.exists('staging', image.id), false);
    assert.equal(await h.deps.store.exists('images', image.id), false);
    const tasks = (await h.request('GET', `/v2/images/${image.id}/tasks`, { token: h.alice.token })).json().tasks;
    assert.equal(tasks[0].status, 'failure');
    assert.match(tasks[0].message, /does not match/);
    assert.equal((await h.upload(image.id, blob(64), h.alice.token)).statusCode, 204, 'queued again: a plain upload works');
  });

  test('deleting a staged image removes the staged bytes', async () => {
    const image = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    assert.equal((await stage(image.id, blob(300))).statusCode, 204);
    assert.equal(await h.deps.store.exists('staging', image.id), true);
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}`, { token: h.alice.token })).statusCode, 204);
    assert.equal(await h.deps.store.exists('staging', image.id), false);
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { startImage, type ImageHarness } from '../../support/image-harness.js';
import { blob } from '../../support/image-data.js';
import { prepareImageService } from '../../../src/image/service.js';

describe('interrupted transfers and start-up recovery', () => {
  let h: ImageHarness;
  let port: number;
  before(async () => {
    h = await startImage();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as AddressInfo).port;
  });
  after(async () => h.close());

  const status = async (id: string) => (await h.db.selectFrom('image').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  const waitFor = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  };

  test('a client that disconnects mid-upload leaves the image queued with no data; a retry succeeds', async () => {
    const image = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const req = httpRequest({
      host: '127.0.0.1', port, method: 'PUT', path: `/v2/images/${image.id}/file`,
      headers: { 'x-auth-token': h.alice.token, 'content-type': 'application/octet-stream', 'content-length': '1048576' },
    });
    req.on('error', () => undefined);
    req.write(blob(300_000));
    await waitFor(async () => (await status(image.id)) === 'saving');
    assert.equal(await status(image.id), 'saving');
    req.destroy();
    await waitFor(async () => (await status(image.id)) === 'queued');
    assert.equal(await status(image.id), 'queued');
    assert.equal(await h.deps.store.exists('images', image.id), false);
    assert.equal((await h.upload(image.id, blob(1000), h.alice.token)).statusCode, 204);
  });

  test('a declared length longer than the data sent is refused, not stored', async () => {
    const image = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const res = await h.request('PUT', `/v2/images/${image.id}/file`, {
      token: h.alice.token, payload: blob(100), contentType: 'application/octet-stream', headers: { 'content-length': '100' },
    });
    assert.equal(res.statusCode, 204);
    const short = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const req = httpRequest({
      host: '127.0.0.1', port, method: 'PUT', path: `/v2/images/${short.id}/file`,
      headers: { 'x-auth-token': h.alice.token, 'content-type': 'application/octet-stream', 'content-length': '5000' },
    });
    req.on('error', () => undefined);
    req.end(blob(10));
    await new Promise((r) => setTimeout(r, 100));
    req.destroy();
    await waitFor(async () => (await status(short.id)) === 'queued');
    assert.equal(await status(short.id), 'queued');
    assert.equal(await h.deps.store.exists('images', short.id), false);
  });

  test('recovery after a crash: saving and importing images are retryable, orphan files are removed', async () => {
    const saving = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const importing = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const active = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    assert.equal((await h.upload(active.id, blob(500), h.alice.token)).statusCode, 204);
    const stage = await h.request('PUT', `/v2/images/${importing.id}/stage`, { token: h.alice.token, payload: blob(700), contentType: 'application/octet-stream' });
    assert.equal(stage.statusCode, 204);
    // Simulate a crash: an upload caught half-way (row saving, a committed file) and an import.
    await h.db.updateTable('image').set({ status: 'saving' }).where('id', '=', saving.id).execute();
    const pending = await h.deps.store.receive('images', saving.id, Readable.from([blob(64)]), { maxBytes: 1000 });
    await pending.commit();
    await h.db.updateTable('image').set({ status: 'importing' }).where('id', '=', importing.id).execute();
    const orphanId = '0b6f0c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f';
    await (await h.deps.store.receive('images', orphanId, Readable.from([blob(32)]), { maxBytes: 1000 })).commit();

    const report = await prepareImageService(h.deps);
    assert.equal(report.requeued, 1);
    assert.equal(report.restaged, 1);
    assert.equal(report.orphansRemoved, 1);
    assert.equal(await status(saving.id), 'queued');
    assert.equal(await h.deps.store.exists('images', saving.id), false);
    assert.equal(await status(importing.id), 'uploading');
    assert.equal(await h.deps.store.exists('images', orphanId), false);
    assert.equal(await h.deps.store.exists('images', active.id), true, 'owned data is kept');
    const imported = await h.request('POST', `/v2/images/${importing.id}/import`, { token: h.alice.token, body: { method: { name: 'glance-direct' } } });
    assert.equal(imported.statusCode, 202, imported.body);
    assert.equal(await status(importing.id), 'active');
  });
});

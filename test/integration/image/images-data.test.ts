import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { startImage, type ImageHarness } from '../../support/image-harness.js';
import { blob, md5, qcow2, sha512 } from '../../support/image-data.js';

describe('image data: upload, download, checks', () => {
  let h: ImageHarness;
  before(async () => { h = await startImage(); });
  after(async () => h.close());

  const status = async (id: string) => (await h.db.selectFrom('image').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  const stored = async (id: string) => h.deps.store.exists('images', id);

  test('upload then download: active, size, hashes, Content-MD5, byte-identical data', async () => {
    const data = blob(200_000);
    const image = await h.createImage({ name: 'disk', disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const none = await h.request('GET', `/v2/images/${image.id}/file`, { token: h.alice.token });
    assert.equal(none.statusCode, 204, 'no data yet is 204, as Glance');
    assert.equal(none.body, '');
    const up = await h.upload(image.id, data, h.alice.token);
    assert.equal(up.statusCode, 204, up.body);
    const shown = (await h.request('GET', `/v2/images/${image.id}`, { token: h.alice.token })).json();
    assert.equal(shown.status, 'active');
    assert.equal(shown.size, data.length);
    assert.equal(shown.virtual_size, data.length);
    assert.equal(shown.checksum, md5(data));
    assert.equal(shown.os_hash_algo, 'sha512');
    assert.equal(shown.os_hash_value, sha512(data));
    assert.equal(shown.stores, 'file');
    const down = await h.request('GET', `/v2/images/${image.id}/file`, { token: h.alice.token });
    assert.equal(down.statusCode, 200);
    assert.equal(down.headers['content-type'], 'application/octet-stream');
    assert.equal(down.headers['content-length'], String(data.length));
    assert.equal(down.headers['content-md5'], md5(data), 'hex MD5, as Glance sends and openstacksdk verifies');
    assert.ok(down.rawPayload.equals(data));
    const again = await h.upload(image.id, blob(10), h.alice.token);
    assert.equal(again.statusCode, 409, 'an active image takes no more data');
    assert.ok((await h.request('GET', `/v2/images/${image.id}/file`, { token: h.alice.token })).rawPayload.equals(data));
  });

  test('Range: 206 with Content-Range for a-b, a- and -n; 416 for unsatisfiable or malformed ranges', async () => {
    const data = blob(1000);
    const image = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    assert.equal((await h.upload(image.id, data, h.alice.token)).statusCode, 204);
    const get = (range: string) => h.request('GET', `/v2/images/${image.id}/file`, { token: h.alice.token, headers: { range } });
    for (const [range, start, end] of [['bytes=0-9', 0, 9], ['bytes=990-', 990, 999], ['bytes=-5', 995, 999], ['bytes=500-5000', 500, 999]] as const) {
      const res = await get(range);
      assert.equal(res.statusCode, 206, range);
      assert.equal(res.headers['content-range'], `bytes ${start}-${end}/1000`);
      assert.equal(res.headers['content-length'], String(end - start + 1));
      assert.ok(res.rawPayload.equals(data.subarray(start, end + 1)), range);
    }
    for (const range of ['bytes=1000-', 'bytes=5-2', 'bytes=0-1,5-6', 'pages=1-2', 'bytes=-0', 'bytes=x-y']) {
      const res = await get(range);
      assert.equal(res.statusCode, 416, range);
    }
    assert.equal((await get('bytes=2000-')).headers['content-range'], 'bytes */1000');
  });

  test('upload refusals: wrong content type 415, missing formats 400, other projects 403/404', async () => {
    const image = await h.createImage({ name: 'bare-record' }, h.alice.token);
    const wrongType = await h.request('PUT', `/v2/images/${image.id}/file`, { token: h.alice.token, payload: 'abc', contentType: 'text/plain' });
    assert.equal(wrongType.statusCode, 415);
    const json = await h.request('PUT', `/v2/images/${image.id}/file`, { token: h.alice.token, body: { a: 1 } });
    assert.equal(json.statusCode, 415);
    const noFormats = await h.upload(image.id, blob(10), h.alice.token);
    assert.equal(noFormats.statusCode, 400);
    assert.match(noFormats.json().message, /disk_format, container_format must be set/);
    assert.equal(await status(image.id), 'queued');
    const shared = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    assert.equal((await h.upload(shared.id, blob(10), h.bob.token)).statusCode, 404, 'not visible to bob');
    const pub = await h.createImage({ visibility: 'public', disk_format: 'raw', container_format: 'bare', owner: h.alice.projectId });
    assert.equal((await h.upload(pub.id, blob(10), h.bob.token)).statusCode, 403);
    assert.equal(await status(pub.id), 'queued');
  });

  test('format checks: qcow2 as raw and a qcow2 backing file are refused (400), the image stays queued with no data', async () => {
    const liar = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const refused = await h.upload(liar.id, qcow2(1 << 30), h.alice.token);
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.json().message, /does not match disk_format/);
    assert.equal(await status(liar.id), 'queued');
    assert.equal(await stored(liar.id), false);

    const backed = await h.createImage({ disk_format: 'qcow2', container_format: 'bare' }, h.alice.token);
    const unsafe = await h.upload(backed.id, qcow2(1 << 30, { backingFile: true }), h.alice.token);
    assert.equal(unsafe.statusCode, 400, unsafe.body);
    assert.match(unsafe.json().message, /backing file/);
    assert.equal(await status(backed.id), 'queued');
    assert.equal(await stored(backed.id), false);

    const honest = await h.createImage({ disk_format: 'qcow2', container_format: 'bare' }, h.alice.token);
    assert.equal((await h.upload(honest.id, qcow2(1 << 30), h.alice.token)).statusCode, 204);
    const shown = (await h.request('GET', `/v2/images/${honest.id}`, { token: h.alice.token })).json();
    assert.equal(shown.virtual_size, 1 << 30, 'virtual_size from the qcow2 header');
    assert.equal(shown.size, 65536);

    const retry = await h.upload(liar.id, blob(512), h.alice.token);
    assert.equal(retry.statusCode, 204, 'a refused upload can be retried with good data');
  });

  test('two uploads racing to one image: one wins, the other gets 409', async () => {
    const image = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const slow = new PassThrough();
    const first = h.app.inject({
      method: 'PUT', url: `/v2/images/${image.id}/file`, payload: slow,
      headers: { 'x-auth-token': h.alice.token, 'content-type': 'application/octet-stream' },
    });
    slow.write(blob(4096));
    for (let i = 0; i < 50 && (await status(image.id)) !== 'saving'; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await status(image.id), 'saving');
    const second = await h.upload(image.id, blob(100), h.alice.token);
    assert.equal(second.statusCode, 409, second.body);
    slow.end(blob(4096));
    const done = await first;
    assert.equal(done.statusCode, 204, done.body);
    const shown = (await h.request('GET', `/v2/images/${image.id}`, { token: h.alice.token })).json();
    assert.equal(shown.size, 8192, 'the winner\'s data, not the loser\'s');
  });

  test('deactivate/reactivate: 204, idempotent; non-admins cannot download while deactivated', async () => {
    const data = blob(3000);
    const image = await h.createImage({ disk_format: 'raw', container_format: 'bare', visibility: 'private' }, h.alice.token);
    const queued = await h.request('POST', `/v2/images/${image.id}/actions/deactivate`, { token: h.alice.token });
    assert.equal(queued.statusCode, 403, 'only active images can be deactivated');
    assert.equal((await h.upload(image.id, data, h.alice.token)).statusCode, 204);
    for (let i = 0; i < 2; i++) {
      assert.equal((await h.request('POST', `/v2/images/${image.id}/actions/deactivate`, { token: h.alice.token })).statusCode, 204);
    }
    assert.equal((await h.request('GET', `/v2/images/${image.id}`, { token: h.alice.token })).json().status, 'deactivated');
    const blocked = await h.request('GET', `/v2/images/${image.id}/file`, { token: h.alice.token });
    assert.equal(blocked.statusCode, 403);
    assert.ok((await h.request('GET', `/v2/images/${image.id}/file`)).rawPayload.equals(data), 'admins still read it');
    assert.equal((await h.request('POST', `/v2/images/${image.id}/actions/reactivate`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await h.request('POST', `/v2/images/${image.id}/actions/reactivate`, { token: h.alice.token })).statusCode, 204);
    assert.ok((await h.request('GET', `/v2/images/${image.id}/file`, { token: h.alice.token })).rawPayload.equals(data));
  });

  test('deleting an image removes its data', async () => {
    const image = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    assert.equal((await h.upload(image.id, blob(1000), h.alice.token)).statusCode, 204);
    assert.equal(await stored(image.id), true);
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}`, { token: h.alice.token })).statusCode, 204);
    assert.equal(await stored(image.id), false);
  });
});

describe('image data: size cap and storage quota', () => {
  let h: ImageHarness;
  before(async () => { h = await startImage({ image: { quotaImageSizeBytes: 5000, maxImageSizeBytes: 4000 } }); });
  after(async () => h.close());

  test('over the size cap or the project\'s byte quota is 413; the image is queued with no data', async () => {
    const big = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const capped = await h.upload(big.id, blob(4001), h.alice.token);
    assert.equal(capped.statusCode, 413, capped.body);
    assert.equal(await h.deps.store.exists('images', big.id), false);
    assert.equal((await h.upload(big.id, blob(3000), h.alice.token)).statusCode, 204);
    const next = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    const over = await h.upload(next.id, blob(2500), h.alice.token);
    assert.equal(over.statusCode, 413, over.body);
    assert.match(over.json().message, /quota/);
    const row = await h.db.selectFrom('image').select(['status', 'size']).where('id', '=', next.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'queued', size: null });
    assert.equal((await h.upload(next.id, blob(2000), h.alice.token)).statusCode, 204, 'within what is left');
    const other = await h.createImage({ disk_format: 'raw', container_format: 'bare' }, h.bob.token);
    assert.equal((await h.upload(other.id, blob(3000), h.bob.token)).statusCode, 204, 'quotas are per project');
  });
});

// FilesystemImageStore: uploads stream to tmp/ and appear only on commit; limits, aborts and
// crashes leave nothing behind; reads serve whole files and byte ranges.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { FilesystemImageStore } from '../../../src/image/store/filesystem-store.js';
import { isImageStoreError } from '../../../src/image/store/store-errors.js';

let root: string;
let store: FilesystemImageStore;
const tmpFiles = (): string[] => readdirSync(join(root, 'tmp'));

before(async () => { root = join(await mkdtemp(join(tmpdir(), 'nimbus-store-')), 'images'); });
after(async () => { await rm(join(root, '..'), { recursive: true, force: true }); });
beforeEach(async () => {
  await rm(root, { recursive: true, force: true });
  store = new FilesystemImageStore(root);
  await store.open();
});

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

test('receive hashes and inspects; the data is invisible until commit', async () => {
  const id = randomUUID();
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const pending = await store.receive('images', id, Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { maxBytes: 10 * 2 ** 20, expectedSize: data.length });
  assert.equal(pending.size, data.length);
  assert.equal(pending.checksum, createHash('md5').update(data).digest('hex'));
  assert.equal(pending.osHashAlgo, 'sha512');
  assert.equal(pending.osHashValue, createHash('sha512').update(data).digest('hex'));
  assert.deepEqual(pending.inspection, { format: 'raw', virtualSize: data.length, safetyProblems: [] });
  assert.equal(await store.exists('images', id), false);
  assert.equal(tmpFiles().length, 1);
  await pending.commit();
  assert.equal(await store.size('images', id), data.length);
  assert.equal(tmpFiles().length, 0);
  assert.ok((await readAll(store.read(id))).equals(data));
  assert.deepEqual(await store.list('images'), new Map([[id, data.length]]));
  await assert.rejects(pending.commit(), (e) => isImageStoreError(e, 'not-found'));
});

test('an empty upload is a valid zero-byte image', async () => {
  const id = randomUUID();
  const pending = await store.receive('images', id, Readable.from([]), { maxBytes: 0, expectedSize: 0 });
  assert.equal(pending.size, 0);
  assert.equal(pending.checksum, 'd41d8cd98f00b204e9800998ecf8427e');
  await pending.commit();
  assert.equal(await store.size('images', id), 0);
});

test('byte ranges are inclusive, as in HTTP', async () => {
  const id = randomUUID();
  const data = randomBytes(5000);
  await (await store.receive('images', id, Readable.from([data]), { maxBytes: 5000 })).commit();
  assert.ok((await readAll(store.read(id, { start: 100, end: 199 }))).equals(data.subarray(100, 200)));
  assert.ok((await readAll(store.read(id, { start: 4999, end: 4999 }))).equals(data.subarray(4999)));
  for (const range of [{ start: 10, end: 9 }, { start: -1, end: 5 }, { start: 0.5, end: 3 }]) {
    assert.throws(() => store.read(id, range), (e) => isImageStoreError(e, 'invalid-range'));
  }
});

test('discard removes the pending file; nothing becomes visible', async () => {
  const id = randomUUID();
  const pending = await store.receive('staging', id, Readable.from([Buffer.from('abc')]), { maxBytes: 10 });
  await pending.discard();
  assert.equal(tmpFiles().length, 0);
  assert.equal(await store.exists('staging', id), false);
  await assert.rejects(pending.commit(), (e) => isImageStoreError(e, 'not-found'));
});

test('going past maxBytes fails mid-stream, leaves no file and does not read the rest', async () => {
  const id = randomUUID();
  let produced = 0;
  const body = new Readable({
    read() {
      produced += 65536;
      this.push(produced > 64 * 2 ** 20 ? null : Buffer.alloc(65536));
    },
  });
  await assert.rejects(store.receive('images', id, body, { maxBytes: 1024 * 1024 }), (e) => isImageStoreError(e, 'too-large'));
  assert.deepEqual(tmpFiles(), []);
  assert.equal(await store.exists('images', id), false);
  assert.ok(produced < 4 * 2 ** 20, `read ${produced} bytes`);
  // The body is left for the API to answer on, not destroyed.
  assert.equal(body.destroyed, false);
});

test('a declared size larger than maxBytes is refused before reading', async () => {
  const body = new PassThrough();
  await assert.rejects(store.receive('images', randomUUID(), body, { maxBytes: 10, expectedSize: 11 }), (e) => isImageStoreError(e, 'too-large'));
  assert.equal(body.readableFlowing, null);
});

test('expectedSize: shorter or longer bodies are refused and leave nothing', async () => {
  for (const length of [99, 101]) {
    await assert.rejects(
      store.receive('images', randomUUID(), Readable.from([Buffer.alloc(length)]), { maxBytes: 1000, expectedSize: 100 }),
      (e) => isImageStoreError(e, 'size-mismatch'),
    );
  }
  assert.deepEqual(tmpFiles(), []);
});

test('a client that goes away mid-upload leaves nothing', async () => {
  for (const end of ['error', 'destroy'] as const) {
    const body = new PassThrough();
    const receiving = store.receive('images', randomUUID(), body, { maxBytes: 2 ** 30 });
    body.write(Buffer.alloc(256 * 1024));
    await new Promise((done) => setTimeout(done, 20));
    assert.equal(tmpFiles().length, 1);
    if (end === 'error') body.destroy(new Error('ECONNRESET'));
    else body.destroy();
    await assert.rejects(receiving, (e) => isImageStoreError(e, 'aborted'));
    assert.deepEqual(tmpFiles(), [], end);
  }
});

test('open() sweeps what a crash left in tmp/', async () => {
  writeFileSync(join(root, 'tmp', `${randomUUID()}.deadbeef`), 'partial upload');
  const id = randomUUID();
  writeFileSync(join(root, 'images', id), 'committed');
  await new FilesystemImageStore(root).open();
  assert.deepEqual(tmpFiles(), []);
  assert.equal(readFileSync(join(root, 'images', id), 'utf8'), 'committed');
});

test('two uploads to the same image both complete into their own files; the later commit wins', async () => {
  const id = randomUUID();
  const [a, b] = await Promise.all([
    store.receive('images', id, Readable.from([Buffer.alloc(100_000, 1)]), { maxBytes: 2 ** 20 }),
    store.receive('images', id, Readable.from([Buffer.alloc(200_000, 2)]), { maxBytes: 2 ** 20 }),
  ]);
  assert.equal(tmpFiles().length, 2);
  assert.notEqual(a.osHashValue, b.osHashValue);
  await a.commit();
  await b.commit();
  assert.equal(await store.size('images', id), 200_000);
  assert.deepEqual(tmpFiles(), []);
});

test('staged data is promoted into images; promote without staged data is not-found', async () => {
  const id = randomUUID();
  await (await store.receive('staging', id, Readable.from([Buffer.from('staged bytes')]), { maxBytes: 100 })).commit();
  assert.equal(store.stagedPath(id), join(root, 'staging', id));
  assert.equal(await store.exists('staging', id), true);
  await store.promote(id);
  assert.equal(await store.exists('staging', id), false);
  assert.equal((await readAll(store.read(id))).toString(), 'staged bytes');
  await assert.rejects(store.promote(id), (e) => isImageStoreError(e, 'not-found'));
  await store.delete('images', id);
  assert.equal(await store.exists('images', id), false);
  await store.delete('images', id); // idempotent
});

test('ids that are not UUIDs never reach a path', async () => {
  const bad = ['../etc/passwd', '..', '', 'a/b', `${randomUUID()}/..`, `${randomUUID()}\0`, randomUUID().replace(/-/g, '')];
  for (const id of bad) {
    await assert.rejects(store.receive('images', id, Readable.from([]), { maxBytes: 1 }), (e) => isImageStoreError(e, 'invalid-id'), JSON.stringify(id));
    assert.throws(() => store.read(id), (e) => isImageStoreError(e, 'invalid-id'));
    assert.throws(() => store.stagedPath(id), (e) => isImageStoreError(e, 'invalid-id'));
    await assert.rejects(store.delete('images', id), (e) => isImageStoreError(e, 'invalid-id'));
    await assert.rejects(store.exists('staging', id), (e) => isImageStoreError(e, 'invalid-id'));
    await assert.rejects(store.promote(id), (e) => isImageStoreError(e, 'invalid-id'));
  }
  assert.equal(existsSync(join(root, '..', 'etc')), false);
  // list() ignores stray files that are not image ids.
  writeFileSync(join(root, 'images', 'README'), 'x');
  assert.deepEqual(await store.list('images'), new Map());
});

test('a qcow2 upload is inspected while it streams', async () => {
  const header = Buffer.alloc(512);
  header.write('QFI\xfb', 0, 'latin1');
  header.writeUInt32BE(3, 4);
  header.writeBigUInt64BE(8n, 8); // backing file offset
  header.writeBigUInt64BE(10n * 2n ** 30n, 24);
  const pending = await store.receive('images', randomUUID(), Readable.from([header, Buffer.alloc(1024 * 1024)]), { maxBytes: 2 ** 21 });
  assert.deepEqual(pending.inspection, { format: 'qcow2', virtualSize: 10 * 2 ** 30, safetyProblems: ['qcow2 has a backing file'] });
  await pending.discard();
});

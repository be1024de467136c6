// The store fed by a real Node HTTP request, as the image API feeds it: a complete upload, and a
// client that drops the connection half-way (the request closes before its end).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemImageStore } from '../../../src/image/store/filesystem-store.js';
import type { PendingData } from '../../../src/image/store/image-data-store.js';

let root: string;
let store: FilesystemImageStore;
let server: Server;
let port: number;
let outcome: (result: PendingData | Error) => void = () => {};

before(async () => {
  root = join(await mkdtemp(join(tmpdir(), 'nimbus-store-http-')), 'images');
  store = new FilesystemImageStore(root);
  await store.open();
  server = createServer((req: IncomingMessage, res) => {
    const expectedSize = req.headers['content-length'] ? Number(req.headers['content-length']) : undefined;
    store.receive('images', req.url!.slice(1), req, { maxBytes: 2 ** 30, expectedSize }).then(
      (pending) => { outcome(pending); res.writeHead(204).end(); },
      (err: Error) => { outcome(err); if (!res.destroyed) res.writeHead(400, { connection: 'close' }).end(); },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise((done) => server.close(done));
  await rm(join(root, '..'), { recursive: true, force: true });
});

function nextOutcome(): Promise<PendingData | Error> {
  return new Promise((resolve) => { outcome = resolve; });
}

test('an HTTP upload arrives whole, hashed', async () => {
  const data = randomBytes(5 * 1024 * 1024);
  const id = randomUUID();
  const result = nextOutcome();
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'PUT', path: `/${id}`, headers: { 'content-length': data.length } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(data);
  });
  assert.equal(status, 204);
  const pending = await result;
  assert.ok(!(pending instanceof Error));
  assert.equal(pending.osHashValue, createHash('sha512').update(data).digest('hex'));
  await pending.commit();
  assert.equal(await store.size('images', id), data.length);
});

test('a client that disconnects mid-body leaves nothing behind', async () => {
  const stored = await store.list('images');
  const result = nextOutcome();
  const req = request({ port, host: '127.0.0.1', method: 'PUT', path: `/${randomUUID()}`, headers: { 'content-length': 100 * 1024 * 1024 } });
  req.on('error', () => {});
  req.write(Buffer.alloc(2 * 1024 * 1024));
  await new Promise((done) => setTimeout(done, 100));
  req.destroy();
  const err = await result;
  assert.ok(err instanceof Error);
  assert.equal((err as Error & { reason?: string }).reason, 'aborted');
  assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  assert.deepEqual(await store.list('images'), stored);
});

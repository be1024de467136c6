// MD5 on the worker and SHA-512 inline give the same digests as one-shot hashing, across slot
// boundaries, for chunks larger than a slot, and with uploads interleaved on the shared worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ParallelDigest } from '../../../src/image/store/parallel-digest.js';

async function feed(digest: ParallelDigest, data: Buffer, chunkSize: number): Promise<void> {
  for (let at = 0; at < data.length; at += chunkSize) await digest.update(data.subarray(at, at + chunkSize));
}

const expected = (data: Buffer): { md5: string; sha512: string } => ({
  md5: createHash('md5').update(data).digest('hex'),
  sha512: createHash('sha512').update(data).digest('hex'),
});

test('digests match one-shot hashing for any chunking', async () => {
  const data = randomBytes(9 * 1024 * 1024 + 123);
  for (const chunkSize of [1000, 65536, 3 * 1024 * 1024 + 7, data.length]) {
    const digest = new ParallelDigest();
    await feed(digest, data, chunkSize);
    assert.deepEqual(await digest.digest(), expected(data), `chunks of ${chunkSize}`);
  }
  assert.deepEqual(await new ParallelDigest().digest(), expected(Buffer.alloc(0)));
});

test('interleaved uploads keep their own digests', async () => {
  const a = randomBytes(5 * 1024 * 1024);
  const b = randomBytes(6 * 1024 * 1024 + 1);
  const [da, db] = [new ParallelDigest(), new ParallelDigest()];
  await Promise.all([feed(da, a, 70_000), feed(db, b, 50_000)]);
  const cancelled = new ParallelDigest();
  await feed(cancelled, randomBytes(3 * 1024 * 1024), 65536);
  cancelled.cancel();
  assert.deepEqual(await da.digest(), expected(a));
  assert.deepEqual(await db.digest(), expected(b));
});

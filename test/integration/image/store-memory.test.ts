// Memory stays flat however large the upload: a 2 GiB body, generated chunk by chunk (fresh
// buffers, as a socket delivers them), through receive() and commit(), must raise this process's
// resident memory by less than 64 MiB — measured from before the first upload, so the hash
// worker's start-up counts too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FilesystemImageStore } from '../../../src/image/store/filesystem-store.js';

const MiB = 1024 * 1024;
const UPLOAD_BYTES = 2048 * MiB;
const CHUNK = 64 * 1024;
const LIMIT_MIB = 64;

function rssMiB(): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match![1]) / 1024;
}

function generatedBody(total: number): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (sent >= total) { this.push(null); return; }
      const size = Math.min(CHUNK, total - sent);
      sent += size;
      const chunk = Buffer.alloc(size);
      chunk.writeUInt32LE(sent >>> 0, 0); // not all zeros
      this.push(chunk);
    },
  });
}

test(`a ${UPLOAD_BYTES / MiB} MiB upload raises resident memory by less than ${LIMIT_MIB} MiB`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-store-memory-'));
  try {
    const store = new FilesystemImageStore(join(dir, 'images'));
    await store.open();
    const before = rssMiB();
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssMiB()); }, 50);
    const started = performance.now();
    const id = randomUUID();
    try {
      const pending = await store.receive('images', id, generatedBody(UPLOAD_BYTES), { maxBytes: UPLOAD_BYTES, expectedSize: UPLOAD_BYTES });
      await pending.commit();
      assert.equal(pending.size, UPLOAD_BYTES);
      assert.equal(pending.inspection.format, 'raw');
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssMiB());
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`rss before ${before.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB (+${(peak - before).toFixed(1)}), ${(UPLOAD_BYTES / MiB / seconds).toFixed(0)} MiB/s`);
    assert.equal(await store.size('images', id), UPLOAD_BYTES);
    assert.ok(peak - before < LIMIT_MIB, `resident memory rose by ${(peak - before).toFixed(1)} MiB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

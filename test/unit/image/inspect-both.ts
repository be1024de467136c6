// Inspects a file both ways — from disk, and streamed in chunks of several sizes — and checks
// the answers agree, so every format test also tests the streaming inspector.
import assert from 'node:assert/strict';
import { createReadStream, statSync } from 'node:fs';
import { inspectFile } from '../../../src/image/formats/file-inspector.js';
import type { FormatInspection } from '../../../src/image/formats/inspection.js';
import { StreamInspector } from '../../../src/image/formats/stream-inspector.js';

/** Streams `path` to a fresh inspector in chunks of exactly `chunkSize` bytes. */
export async function inspectStreamed(path: string, chunkSize: number): Promise<{ inspection: FormatInspection; retained: number }> {
  const inspector = new StreamInspector();
  let carry = Buffer.alloc(0);
  for await (const piece of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let data = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
    while (data.length >= chunkSize) {
      inspector.push(data.subarray(0, chunkSize));
      data = data.subarray(chunkSize);
    }
    carry = Buffer.from(data);
  }
  if (carry.length > 0) inspector.push(carry);
  return { inspection: inspector.finish(), retained: inspector.retainedBytes };
}

export async function inspectBoth(path: string): Promise<FormatInspection> {
  const fromFile = await inspectFile(path);
  const size = statSync(path).size;
  // Byte-sized chunks only for small files: they cost one push per byte.
  const chunkSizes = [...(size <= 512 * 1024 ? [1] : []), 333, 4097, 65536, 1024 * 1024];
  for (const chunkSize of chunkSizes) {
    const streamed = await inspectStreamed(path, chunkSize);
    assert.deepEqual(streamed.inspection, fromFile, `streamed in ${chunkSize}-byte chunks`);
  }
  return fromFile;
}

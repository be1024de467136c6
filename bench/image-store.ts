// FilesystemImageStore in the bench's own process: receive()+commit() of a generated body, read()
// of the stored file, and resident memory over a large upload.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FilesystemImageStore } from '../src/image/store/filesystem-store.js';
import { generatedBody } from './image-body.js';
import { evictFromCache, mibPerSecond } from './image-disk.js';

export interface StoreRun {
  readonly id: string;
  readonly writeMiBs: number;
  readonly coldReadMiBs: number;
  readonly warmReadMiBs: number;
}

export interface UploadMemory {
  readonly bytes: number;
  readonly rss_before_mb: number;
  readonly rss_peak_mb: number;
  readonly rss_increase_mb: number;
  readonly write_mib_s: number;
}

function rssMiB(): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match![1]) / 1024;
}

const discard = (): Writable => new Writable({ highWaterMark: 1024 * 1024, write: (_chunk, _enc, done) => done() });

async function timedRead(store: FilesystemImageStore, id: string, bytes: number): Promise<number> {
  const started = performance.now();
  await pipeline(store.read(id), discard());
  return mibPerSecond(bytes, started);
}

/** Upload then download one image: the read cold (its pages evicted), then warm. */
export async function storeWriteRead(store: FilesystemImageStore, bytes: number, pathOf: (id: string) => string): Promise<StoreRun> {
  const id = randomUUID();
  const writeStarted = performance.now();
  const pending = await store.receive('images', id, generatedBody(bytes), { maxBytes: bytes, expectedSize: bytes });
  await pending.commit();
  const writeMiBs = mibPerSecond(bytes, writeStarted);
  await evictFromCache(pathOf(id));
  const coldReadMiBs = await timedRead(store, id, bytes);
  const warmReadMiBs = await timedRead(store, id, bytes);
  return { id, writeMiBs, coldReadMiBs, warmReadMiBs };
}

/** One upload with VmRSS sampled every 50 ms; the image is deleted afterwards. */
export async function uploadMemory(store: FilesystemImageStore, bytes: number): Promise<UploadMemory> {
  const before = rssMiB();
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, rssMiB()); }, 50);
  const id = randomUUID();
  const started = performance.now();
  try {
    await (await store.receive('images', id, generatedBody(bytes), { maxBytes: bytes })).commit();
  } finally {
    clearInterval(sampler);
  }
  const write = mibPerSecond(bytes, started);
  peak = Math.max(peak, rssMiB());
  await store.delete('images', id);
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { bytes, rss_before_mb: r(before), rss_peak_mb: r(peak), rss_increase_mb: r(peak - before), write_mib_s: r(write) };
}

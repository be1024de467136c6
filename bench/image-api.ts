// The image API of the real all-in-one (`bin/nimbus all-in-one`, a child process) over HTTP:
// resident memory of the server over one 2 GiB upload, then RUNS × (dd write + cat read cold and
// warm, alternating with PUT /v2/images/{id}/file of 1 GiB and GET of it cold and warm), on the
// same disk as the store phase (the all-in-one's data directory sits in the bench directory).
// The client (this process) shares the 2 cores with the server: its HTTP and body-generation
// work is part of what the figures pay, as it would be for a client on the same host.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { launchAllInOne, type AllInOneProcess } from './all-in-one-process.js';
import type { BenchLog } from './bench-log.js';
import { generatedBody } from './image-body.js';
import { catRead, ddWrite, evictFromCache, mibPerSecond } from './image-disk.js';
import { imageHttp, type ImageHttp } from './image-http.js';
import { identityHttp } from './identity-http.js';
import { readProcMemory, settledProcMemory } from './proc-memory.js';

const SAMPLE_MS = 100;
const ACTIVE_TIMEOUT_MS = 60_000;

export interface ApiRun {
  readonly ddWrite: number;
  readonly catReadCold: number;
  readonly catReadWarm: number;
  readonly httpUpload: number;
  readonly httpDownloadCold: number;
  readonly httpDownloadWarm: number;
}

export interface ApiUploadMemory {
  readonly bytes: number;
  readonly rss_before_mb: number;
  readonly hwm_before_mb: number;
  readonly rss_peak_sampled_mb: number;
  readonly rss_after_mb: number;
  readonly hwm_after_mb: number;
  readonly rss_increase_mb: number;
  readonly hwm_increase_mb: number;
  readonly samples: number;
  readonly upload_mib_s: number;
}

async function waitActive(api: ImageHttp, id: string): Promise<void> {
  const deadline = performance.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const status = await api.status(id);
    if (status === 'active') return;
    if (status !== 'saving' && status !== 'queued' && status !== 'importing') throw new Error(`image ${id} is ${status}, not active`);
    if (performance.now() > deadline) throw new Error(`image ${id} not active after ${ACTIVE_TIMEOUT_MS / 1000} s`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** Upload `bytes`, timed until the image is active (the 204 comes after activation; the poll confirms it). */
async function timedUpload(api: ImageHttp, id: string, bytes: number): Promise<number> {
  const started = performance.now();
  await api.upload(id, generatedBody(bytes), bytes);
  await waitActive(api, id);
  return mibPerSecond(bytes, started);
}

async function timedDownload(api: ImageHttp, id: string, bytes: number): Promise<number> {
  const started = performance.now();
  const got = await api.download(id);
  if (got !== bytes) throw new Error(`download of ${id}: ${got} bytes, expected ${bytes}`);
  return mibPerSecond(bytes, started);
}

/** The server's VmRSS sampled every 100 ms over one upload; baseline once it has settled. */
async function uploadMemory(cloud: AllInOneProcess, api: ImageHttp, bytes: number): Promise<ApiUploadMemory> {
  const id = await api.create('bench-memory');
  const before = await settledProcMemory(cloud.pid);
  let peak = before.rssMb;
  let samples = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, readProcMemory(cloud.pid).rssMb); samples++; }, SAMPLE_MS);
  let speed: number;
  try {
    speed = await timedUpload(api, id, bytes);
  } finally {
    clearInterval(sampler);
  }
  const after = readProcMemory(cloud.pid);
  peak = Math.max(peak, after.rssMb);
  await api.remove(id);
  const r = (x: number): number => Math.round(x * 10) / 10;
  return {
    bytes, rss_before_mb: before.rssMb, hwm_before_mb: before.peakMb, rss_peak_sampled_mb: r(peak), rss_after_mb: after.rssMb,
    hwm_after_mb: after.peakMb, rss_increase_mb: r(peak - before.rssMb), hwm_increase_mb: r(Math.max(0, after.peakMb - before.peakMb)),
    samples, upload_mib_s: r(speed),
  };
}

export interface ApiBench {
  memory(bytes: number): Promise<ApiUploadMemory>;
  /** One alternation: dd write + cat cold/warm of `ddFile`, then upload + download cold/warm through the API. */
  run(ddFile: string, bytes: number): Promise<ApiRun>;
  stop(): Promise<void>;
}

export async function startApiBench(parentDir: string, log: BenchLog): Promise<ApiBench> {
  const cloud = await launchAllInOne(parentDir);
  let api: ImageHttp | undefined;
  try {
    const token = await identityHttp(cloud.identityUrl, { username: 'admin', password: cloud.adminPassword, project: 'admin', domain: 'Default' }).issueToken();
    api = imageHttp(cloud.imageUrl, token);
  } catch (err) {
    await cloud.stop();
    throw err;
  }
  const http = api;
  log(`all-in-one pid ${cloud.pid}, image API at ${cloud.imageUrl}`);
  return {
    memory: (bytes) => uploadMemory(cloud, http, bytes),
    async run(ddFile, bytes) {
      const ddWriteMiBs = await ddWrite(ddFile, bytes);
      await evictFromCache(ddFile);
      const catReadCold = await catRead(ddFile, bytes);
      const catReadWarm = await catRead(ddFile, bytes);
      await rm(ddFile, { force: true });
      const id = await http.create('bench-throughput');
      const httpUpload = await timedUpload(http, id, bytes);
      await evictFromCache(join(cloud.dataDir, 'images', 'images', id));
      const httpDownloadCold = await timedDownload(http, id, bytes);
      const httpDownloadWarm = await timedDownload(http, id, bytes);
      await http.remove(id);
      return { ddWrite: ddWriteMiBs, catReadCold, catReadWarm, httpUpload, httpDownloadCold, httpDownloadWarm };
    },
    async stop() {
      http.close();
      await cloud.stop();
    },
  };
}

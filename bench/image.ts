// `npm run bench -- image`: the image store against the disk it sits on. First resident memory
// over a 2 GiB upload; then a 1 GiB file written by `dd … conv=fsync` and read by `cat` (cold,
// then warm), alternating with FilesystemImageStore receive()+commit() and read() (cold, then
// warm) of 1 GiB in this process, same directory, same disk, RUNS times each: medians and
// ratios. Then the same through the image API of the real all-in-one over HTTP (image-api.ts):
// the server's resident memory over a 2 GiB upload, and RUNS × dd/cat alternating with a 1 GiB
// PUT …/file and GET …/file (cold, then warm).
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { FilesystemImageStore } from '../src/image/store/filesystem-store.js';
import type { BenchLog } from './bench-log.js';
import { catRead, ddWrite, evictFromCache } from './image-disk.js';
import { startApiBench } from './image-api.js';
import { hashRates } from './image-hash.js';
import { storeWriteRead, uploadMemory } from './image-store.js';
import { percentile, round2 } from './stats.js';

const MiB = 1024 * 1024;
const FILE_BYTES = 1024 * MiB;
const MEMORY_BYTES = 2048 * MiB;
const RUNS = 3;
const TARGET_RATIO = 0.6;
const MEMORY_LIMIT_MB = 64;

interface PhaseContext {
  readonly dir: string;
  readonly store: FilesystemImageStore;
  readonly log: BenchLog;
  /** Figures of the phases run so far, by phase name. */
  readonly figures: Record<string, unknown>;
}

interface Phase {
  readonly name: string;
  run(ctx: PhaseContext): Promise<Record<string, unknown>>;
}

const median = (xs: readonly number[]): number | null => round2(percentile([...xs].sort((a, b) => a - b), 50));
const ratio = (a: number | null, b: number | null): number | null => (a !== null && b ? round2(a / b) : null);

/** First, so the baseline is a process that has never uploaded (the hash worker's start counts). */
const memoryPhase: Phase = {
  name: 'upload_memory',
  async run({ store, log }) {
    log(`resident memory over one ${MEMORY_BYTES / MiB} MiB upload`);
    return { ...(await uploadMemory(store, MEMORY_BYTES)) };
  },
};

const throughputPhase: Phase = {
  name: 'throughput',
  async run({ dir, store, log }) {
    const ddFile = join(dir, 'dd-file');
    const samples = {
      dd_write: [] as number[], cat_read_cold: [] as number[], cat_read_warm: [] as number[],
      store_write: [] as number[], store_read_cold: [] as number[], store_read_warm: [] as number[],
    };
    for (let i = 0; i < RUNS; i++) {
      log(`run ${i + 1}/${RUNS}: dd write + cat read, then store receive+commit + read (${FILE_BYTES / MiB} MiB each)`);
      samples.dd_write.push(await ddWrite(ddFile, FILE_BYTES));
      await evictFromCache(ddFile);
      samples.cat_read_cold.push(await catRead(ddFile, FILE_BYTES));
      samples.cat_read_warm.push(await catRead(ddFile, FILE_BYTES));
      await rm(ddFile, { force: true });
      const run = await storeWriteRead(store, FILE_BYTES, (id) => join(dir, 'images', 'images', id));
      samples.store_write.push(run.writeMiBs);
      samples.store_read_cold.push(run.coldReadMiBs);
      samples.store_read_warm.push(run.warmReadMiBs);
      await store.delete('images', run.id);
    }
    const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<keyof typeof samples, number | null>;
    return {
      file_mib: FILE_BYTES / MiB,
      runs: RUNS,
      median_mib_s: m,
      samples_mib_s: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => round2(x))])),
      ratio_store_write_vs_dd: ratio(m.store_write, m.dd_write),
      ratio_store_read_vs_cat_cold: ratio(m.store_read_cold, m.cat_read_cold),
      ratio_store_read_vs_cat_warm: ratio(m.store_read_warm, m.cat_read_warm),
    };
  },
};

const hashPhase: Phase = {
  name: 'hash_cpu',
  async run({ log }) {
    log('MD5 and SHA-512 rates on one thread (the CPU bound on uploads)');
    return { ...hashRates() };
  },
};

const httpPhase: Phase = {
  name: 'http',
  async run({ dir, log }) {
    const api = await startApiBench(dir, log);
    try {
      log(`all-in-one resident memory over one ${MEMORY_BYTES / MiB} MiB PUT /v2/images/{id}/file`);
      const memory = await api.memory(MEMORY_BYTES);
      const samples = {
        dd_write: [] as number[], cat_read_cold: [] as number[], cat_read_warm: [] as number[],
        http_upload: [] as number[], http_download_cold: [] as number[], http_download_warm: [] as number[],
      };
      for (let i = 0; i < RUNS; i++) {
        log(`http run ${i + 1}/${RUNS}: dd write + cat read, then PUT + GET …/file (${FILE_BYTES / MiB} MiB each)`);
        const run = await api.run(join(dir, 'dd-file'), FILE_BYTES);
        samples.dd_write.push(run.ddWrite);
        samples.cat_read_cold.push(run.catReadCold);
        samples.cat_read_warm.push(run.catReadWarm);
        samples.http_upload.push(run.httpUpload);
        samples.http_download_cold.push(run.httpDownloadCold);
        samples.http_download_warm.push(run.httpDownloadWarm);
      }
      const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<keyof typeof samples, number | null>;
      return {
        upload_memory: memory,
        file_mib: FILE_BYTES / MiB,
        runs: RUNS,
        median_mib_s: m,
        samples_mib_s: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => round2(x))])),
        ratio_http_upload_vs_dd: ratio(m.http_upload, m.dd_write),
        ratio_http_download_vs_cat_cold: ratio(m.http_download_cold, m.cat_read_cold),
        ratio_http_download_vs_cat_warm: ratio(m.http_download_warm, m.cat_read_warm),
      };
    } finally {
      await api.stop();
    }
  },
};

const PHASES: readonly Phase[] = [memoryPhase, throughputPhase, httpPhase, hashPhase];

function machine(dir: string): Record<string, unknown> {
  return {
    cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, node: process.version, kernel: release(),
    memory_mb: Math.round(totalmem() / MiB), load_average_1m_at_start: round2(loadavg()[0] ?? null), bench_dir: dir,
  };
}

function judge(figures: Record<string, unknown>): Record<string, unknown> {
  const t = figures.throughput as { ratio_store_write_vs_dd: number | null; ratio_store_read_vs_cat_cold: number | null };
  const mem = figures.upload_memory as { rss_increase_mb: number };
  const http = figures.http as {
    ratio_http_upload_vs_dd: number | null; ratio_http_download_vs_cat_cold: number | null; upload_memory: { rss_increase_mb: number };
  };
  return {
    upload_vs_dd: { goal: `>= ${TARGET_RATIO}`, value: t.ratio_store_write_vs_dd, met: (t.ratio_store_write_vs_dd ?? 0) >= TARGET_RATIO },
    // Judged cold: the warm figure compares against memcpy from the page cache, not the disk.
    download_vs_cat_cold: { goal: `>= ${TARGET_RATIO}`, value: t.ratio_store_read_vs_cat_cold, met: (t.ratio_store_read_vs_cat_cold ?? 0) >= TARGET_RATIO },
    upload_2gib_rss_increase_mb: { goal: `< ${MEMORY_LIMIT_MB}`, value: mem.rss_increase_mb, met: mem.rss_increase_mb < MEMORY_LIMIT_MB },
    http_upload_vs_dd: { goal: `>= ${TARGET_RATIO}`, value: http.ratio_http_upload_vs_dd, met: (http.ratio_http_upload_vs_dd ?? 0) >= TARGET_RATIO },
    http_download_vs_cat_cold: { goal: `>= ${TARGET_RATIO}`, value: http.ratio_http_download_vs_cat_cold, met: (http.ratio_http_download_vs_cat_cold ?? 0) >= TARGET_RATIO },
    http_upload_2gib_server_rss_increase_mb: {
      goal: `< ${MEMORY_LIMIT_MB}`, value: http.upload_memory.rss_increase_mb, met: http.upload_memory.rss_increase_mb < MEMORY_LIMIT_MB,
    },
  };
}

export async function runImageBench(log: BenchLog): Promise<Record<string, unknown>> {
  // NIMBUS_BENCH_DIR picks the disk to measure (default: the system temp directory).
  const dir = await mkdtemp(join(process.env.NIMBUS_BENCH_DIR ?? tmpdir(), 'nimbus-image-bench-'));
  const host = machine(dir);
  const figures: Record<string, unknown> = {};
  try {
    const store = new FilesystemImageStore(join(dir, 'images'));
    await store.open();
    for (const phase of PHASES) figures[phase.name] = await phase.run({ dir, store, log, figures });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Other work on the machine skews the CPU-bound store figures far more than dd's: say how busy it was.
  const machineAfter = { ...host, load_average_1m_at_end: round2(loadavg()[0] ?? null) };
  return { service: 'image', date: new Date().toISOString(), machine: machineAfter, ...figures, targets: judge(figures) };
}

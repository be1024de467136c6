// `npm run bench -- compute`: one JSON report of the compute service — boot latency next to bare
// QEMU (bench/compute-boot.ts; root + QEMU, else {skipped}) and one scheduling decision among 1000
// hosts (bench/compute-scheduler.ts). For a quick trial: NIMBUS_BENCH_BOOT_RUNS=1 (default 3),
// NIMBUS_BENCH_COMPUTE_PARTS=boot or =scheduler (default both).
import type { BenchLog } from './bench-log.js';
import { runComputeBootBench } from './compute-boot.js';
import { runComputeSchedulerBench } from './compute-scheduler.js';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

function parts(): Set<string> {
  const raw = process.env.NIMBUS_BENCH_COMPUTE_PARTS ?? 'boot,scheduler';
  const wanted = new Set(raw.split(',').map((p) => p.trim()).filter((p) => p !== ''));
  for (const part of wanted) if (part !== 'boot' && part !== 'scheduler') throw new Error(`NIMBUS_BENCH_COMPUTE_PARTS: unknown part ${JSON.stringify(part)} (boot, scheduler)`);
  return wanted;
}

export async function runComputeBench(log: BenchLog): Promise<Record<string, unknown>> {
  const wanted = parts();
  const runs = positiveInt('NIMBUS_BENCH_BOOT_RUNS', 3);
  const boot = wanted.has('boot') ? await runComputeBootBench(log, { runs }) : { skipped: 'not asked (NIMBUS_BENCH_COMPUTE_PARTS)' };
  const scheduler = wanted.has('scheduler') ? await runComputeSchedulerBench(log) : { skipped: 'not asked (NIMBUS_BENCH_COMPUTE_PARTS)' };
  return { bench: 'compute', date: new Date().toISOString(), ...boot, scheduler };
}

// Timing helpers of the dataplane bench: probe loops that stop when the kernel (or the API) shows
// a change, idle agents before a timed change, and the summaries the report prints.
import { performance } from 'node:perf_hooks';
import { run } from '../src/hostnet/index.js';
import type { DataplaneEnv } from './dataplane-env.js';
import { percentile, round2 } from './stats.js';

export const POLL_MS = 5;

export interface Summary {
  readonly n: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly max_ms: number | null;
  readonly samples_ms: (number | null)[];
  readonly failures?: number;
}

export function summarize(samples: readonly number[], failures = 0): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: samples.length, p50_ms: round2(percentile(sorted, 50)), p95_ms: round2(percentile(sorted, 95)), max_ms: round2(sorted.at(-1) ?? null),
    samples_ms: samples.map((s) => round2(s)), ...(failures ? { failures } : {}),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Probe durations, per kind, to tell the resolution of the figures. */
export const probeTimes: Record<string, number[]> = {};

/**
 * Polls `probe` every POLL_MS until it returns true; the time from `t0` to the end of the probe
 * that first saw it (an upper bound: the change happened during or before that probe).
 */
export async function until(kind: string, t0: number, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const times = (probeTimes[kind] ??= []);
  for (;;) {
    const start = performance.now();
    const ok = await probe().catch(() => false);
    const end = performance.now();
    times.push(end - start);
    if (ok) return end - t0;
    if (end - t0 > timeoutMs) throw new Error(`${kind}: not seen after ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/**
 * Waits until no agent loop of the first host has completed a reconcile for 300 ms (at most 5 s),
 * so a timed change starts from idle agents, not into a reconcile already pending for another reason.
 */
export async function quiesce(env: DataplaneEnv): Promise<void> {
  const counts = (): string => env.agents.loops.map((l) => l.reconciles).join(',');
  const deadline = performance.now() + 5000;
  let last = counts();
  while (performance.now() < deadline) {
    await sleep(300);
    const now = counts();
    if (now === last) return;
    last = now;
  }
}

export async function nftList(netns: string, family: string, table: string): Promise<string> {
  return (await run('nft', ['list', 'table', family, table], { netns })).stdout;
}

/** One ping from namespace `netns` to `ip` answered within a second. */
export async function pings(netns: string, ip: string): Promise<boolean> {
  return run('ping', ['-c', '1', '-W', '1', '-n', '-q', ip], { netns, timeoutMs: 5000 }).then(() => true, () => false);
}

// `npm run bench -- lifecycle [--runs N]` (root + QEMU, else {skipped}): every server action timed
// end to end through the compute API, from the request to the server's settled state (status,
// task_state None; test/support/server-lifecycle.ts says what "settled" is for each). A private
// all-in-one (bench/sandbox-cloud.ts: two simulated hosts, no uplink, the test image); per run one
// server (nimbus-cirros, m1.nano, resized to m1.micro) goes through all the steps and is deleted.
// Before a step that shuts the guest down gracefully (or unplugs by ACPI) the guest must be up
// (test/support/guest-ready.ts: "nimbus-init: ready" on its console, then a ping reply), so a step
// never times a guest still booting, which would ignore the power button; that wait is not timed.
// Live migration also pings the guest every 50 ms from the network's DHCP namespace during the
// move (lost replies × 50 ms) and reads QEMU's own downtime from the source agent's log.
import { cpus, loadavg } from 'node:os';
import { CloudApi } from '../test/support/cloud-api.js';
import { computeE2eSkip } from '../test/support/guest-sandbox.js';
import { startPingMonitor, type PingOutage } from '../test/support/guest-ping.js';
import { GuestReadiness } from '../test/support/guest-ready.js';
import { CREATE_STEP, DELETE_STEP, LIFECYCLE_MICROVERSION, LIFECYCLE_STEPS, showServer, type LifecycleContext, type LifecycleStep } from '../test/support/server-lifecycle.js';
import type { BenchLog } from './bench-log.js';
import { prepareNetwork, waitCloudReady, type BenchNetwork } from './cloud-ready.js';
import type { BenchOptions } from './main.js';
import { MigrationLog, type MigrationLogRecord } from './migration-log.js';
import { startSandboxCloud } from './sandbox-cloud.js';
import { percentile, round2 } from './stats.js';

const PING_INTERVAL_MS = 50;
/** How long the ping monitor runs on after the migration settled (replies still in flight). */
const PING_TAIL_MS = 1500;

interface LiveSample { readonly totalMs: number; readonly ping: PingOutage; readonly qemu: MigrationLogRecord | undefined }

interface RunResult {
  readonly times: Map<string, number>;
  readonly live: LiveSample | undefined;
  readonly failure: string | undefined;
}

function summary(values: readonly number[]): Record<string, number | number[] | null> {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50_ms: round2(percentile(sorted, 50)), p95_ms: round2(percentile(sorted, 95)),
    min_ms: round2(sorted[0] ?? null), max_ms: round2(sorted.at(-1) ?? null), samples: values.map((v) => Math.round(v)),
  };
}

async function timeLiveMigration(step: LifecycleStep, ctx: LifecycleContext, net: BenchNetwork, ip: string, log: MigrationLog): Promise<LiveSample> {
  const monitor = startPingMonitor(net.netns, ip, PING_INTERVAL_MS);
  // A few replies before the request, so a gap at the start is the guest's and not ping's.
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  try {
    await step.run(ctx);
  } finally {
    await new Promise((r) => setTimeout(r, PING_TAIL_MS));
  }
  const totalMs = performance.now() - t0;
  const ping = await monitor.stop();
  return { totalMs, ping, qemu: await log.last(ctx.serverId) };
}

/** One server through every step; a failing step ends the run (recorded) and the server is deleted. */
async function oneRun(ctx: LifecycleContext, net: BenchNetwork, guest: GuestReadiness, migrations: MigrationLog, log: BenchLog): Promise<RunResult> {
  const times = new Map<string, number>();
  let live: LiveSample | undefined;
  let ip: string | undefined;
  const timed = async (step: LifecycleStep): Promise<void> => {
    if (step.needsGuest) await guest.waitUp(ctx.serverId, (await showServer(ctx.api, ctx.serverId)).host!, ip!);
    if (step.boots) guest.mark(ctx.serverId);
    if (step.name === 'live_migrate') {
      live = await timeLiveMigration(step, ctx, net, ip!, migrations);
      times.set(step.name, live.totalMs);
    } else {
      const t0 = performance.now();
      await step.run(ctx);
      times.set(step.name, performance.now() - t0);
    }
    log(`  ${step.name}: ${Math.round(times.get(step.name)!)} ms`);
  };
  try {
    await timed(CREATE_STEP);
    ip = (await showServer(ctx.api, ctx.serverId)).ipv4[0];
    if (ip === undefined) throw new Error(`server ${ctx.serverId} ACTIVE without an IPv4 address`);
    for (const step of LIFECYCLE_STEPS) await timed(step);
    await timed(DELETE_STEP);
    return { times, live, failure: undefined };
  } catch (err) {
    const failure = `${[...times.keys()].at(-1) ?? 'start'} → next step: ${(err as Error).message}`;
    log(`  FAILED after ${failure}`);
    if (ctx.serverId !== '') await ctx.api.request('compute', 'DELETE', `/servers/${ctx.serverId}`, [204, 404]).catch(() => undefined);
    return { times, live, failure };
  } finally {
    for (const image of ctx.snapshots.splice(0)) await ctx.api.request('image', 'DELETE', `/v2/images/${image}`, [204, 404]).catch(() => undefined);
  }
}

function figures(results: readonly RunResult[]): Record<string, unknown> {
  const names = [CREATE_STEP, ...LIFECYCLE_STEPS, DELETE_STEP].map((s) => s.name);
  const actions: Record<string, unknown> = {};
  for (const name of names) {
    const values = results.flatMap((r) => (r.times.has(name) ? [r.times.get(name)!] : []));
    if (values.length > 0) actions[name] = summary(values);
  }
  const live = results.flatMap((r) => (r.live ? [r.live] : []));
  const qemu = live.flatMap((l) => (l.qemu ? [l.qemu] : []));
  return {
    actions_ms: actions,
    live_migration: {
      total_ms: summary(live.map((l) => l.totalMs)),
      ping_interval_ms: PING_INTERVAL_MS,
      ping_lost_ms: summary(live.map((l) => l.ping.lostMs)),
      ping_longest_gap_ms: summary(live.map((l) => l.ping.longestGapMs)),
      ping_sent_received: live.map((l) => [l.ping.sent, l.ping.received]),
      qemu_downtime_ms: summary(qemu.map((q) => q.downtimeMs)),
      qemu_ram_migration_ms: summary(qemu.map((q) => q.totalTimeMs)),
      qemu_disk_and_ram_ms: summary(qemu.map((q) => q.elapsedMs)),
    },
    failures: results.flatMap((r, i) => (r.failure ? [`run ${i + 1}: ${r.failure}`] : [])),
  };
}

export async function runLifecycleBench(log: BenchLog, options: BenchOptions): Promise<Record<string, unknown>> {
  if (computeE2eSkip) return { bench: 'lifecycle', skipped: computeE2eSkip };
  const runs = options.runs ?? 3;
  const loadAtStart = loadavg();
  const migrations = new MigrationLog();
  const cloud = await startSandboxCloud(log, { hosts: 2, logLevel: 'info', onLine: migrations.onLine });
  try {
    const api = await CloudApi.login(cloud.dataDir, LIFECYCLE_MICROVERSION);
    const imageId = await waitCloudReady(api, cloud.hosts);
    const net = await prepareNetwork(api, cloud.sandbox, 'bench-lifecycle');
    const guest = new GuestReadiness(cloud.dataDir, cloud.hosts, net.netns);
    const results: RunResult[] = [];
    for (let i = 0; i < runs; i++) {
      log(`run ${i + 1}/${runs}`);
      const ctx: LifecycleContext = { api, imageId, networkId: net.networkId, flavors: ['42', '84'], serverId: '', snapshots: [] };
      results.push(await oneRun(ctx, net, guest, migrations, log));
    }
    return {
      bench: 'lifecycle', date: new Date().toISOString(),
      machine: { cpus: cpus().length, load_average_at_start: loadAtStart.map((l) => round2(l)), load_average_at_end: loadavg().map((l) => round2(l)) },
      runs, microversion: LIFECYCLE_MICROVERSION, ...figures(results),
    };
  } finally {
    await cloud.stop();
  }
}

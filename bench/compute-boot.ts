// Boot latency of one server, Nimbus next to bare QEMU (root + qemu-system-x86_64; else skipped).
//   bare    the nimbus-cirros image started by qemu-system-x86_64 itself with the driver's own
//           argv (buildQemuArgs: 1 vCPU, 128 MiB, virtio disk on a qcow2 overlay, virtio NIC on a
//           tap bridged in a scratch namespace whose dnsmasq has a static lease) — the floor.
//   nimbus  the real all-in-one as a child process (sandbox of one simulated host, no uplink):
//           POST /v2.1/servers → ACTIVE, and → the first ping reply from the network's DHCP namespace.
// Both ping every 100 ms (`ping -c1 -W1`, overlapping) and read the serial log for "nimbus-init: ready".
// Everything is removed after each run, at the end, on error, and by a synchronous exit hook.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildGuestImage, type GuestImage } from '../src/compute/guest-image/index.js';
import { tapName } from '../src/compute/rpc/compute-protocol.js';
import { buildQemuArgs, QEMU_BINARY } from '../src/compute/virt/command-line.js';
import { createOverlay } from '../src/compute/virt/disks.js';
import { probeAccelerator, type Accelerator } from '../src/compute/virt/kvm.js';
import { MTU, startGuestNet } from '../test/integration/compute-guest/guest-net.js';
import { CloudApi } from '../test/support/cloud-api.js';
import { eventually } from '../test/support/eventually.js';
import type { BenchLog } from './bench-log.js';
import { prepareNetwork, waitCloudReady, type BenchNetwork } from './cloud-ready.js';
import { cleanNamespacesSync } from './netns-cleanup.js';
import { GUEST_IMAGE_DIR, startSandboxCloud, type SandboxCloud } from './sandbox-cloud.js';
import { percentile, round2 } from './stats.js';

const IMAGE_DIR = GUEST_IMAGE_DIR;
const READY = /nimbus-init: ready/;
const GIB = 1024 ** 3;
const BOOT_TIMEOUT_MS = 180_000;

export interface BootBenchOptions {
  readonly runs?: number;
}

interface Samples { p50: number | null; samples: number[] }

const summary = (values: readonly number[]): Samples => ({
  p50: round2(percentile([...values].sort((a, b) => a - b), 50)),
  samples: values.map((v) => Math.round(v)),
});

// ---------------------------------------------------------------------------------------------
// Probes shared by both paths.

/**
 * Starts `ping -c1 -W1 <ip>` in `netns` every 100 ms (they overlap while the guest is silent)
 * until one exits 0; resolves with the time of that exit, in ms since `t0`.
 */
function firstPingReply(netns: () => string | undefined, ip: string, t0: number, timeoutMs: number, signal: AbortSignal): Promise<number> {
  return new Promise((resolvePing, reject) => {
    const inFlight = new Set<ChildProcess>();
    let done = false;
    const finish = (err: Error | undefined, ms?: number): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      for (const child of inFlight) child.kill('SIGKILL');
      if (err) reject(err); else resolvePing(ms!);
    };
    const tick = (): void => {
      if (performance.now() - t0 > timeoutMs) return finish(new Error(`no ping reply from ${ip} in ${timeoutMs / 1000} s`));
      const ns = netns();
      if (ns === undefined) return;
      const child = spawn('ip', ['netns', 'exec', ns, 'ping', '-n', '-q', '-c1', '-W1', ip], { stdio: 'ignore' });
      inFlight.add(child);
      child.once('error', () => inFlight.delete(child));
      child.once('exit', (code) => {
        inFlight.delete(child);
        if (code === 0) finish(undefined, performance.now() - t0);
      });
    };
    const timer = setInterval(tick, 100);
    signal.addEventListener('abort', () => finish(new Error('ping aborted')), { once: true });
    tick();
  });
}

interface Ready { ms: number; guest: GuestClock }
/** The guest's own clock (/proc/uptime, seconds) at its DHCP lease and at "ready", from its console. */
interface GuestClock { dhcp_s: number | null; ready_s: number | null }

function guestClock(text: string): GuestClock {
  const num = (m: RegExpExecArray | null): number | null => (m ? Number(m[1]) : null);
  return { dhcp_s: num(/nimbus-init: dhcp ok .*\[([\d.]+)\]/.exec(text)), ready_s: num(/nimbus-init: ready ([\d.]+)s/.exec(text)) };
}

/** When `path` first contains "nimbus-init: ready" (read every 50 ms; ms since `t0`); null after the timeout. */
async function readyInLog(path: () => string | undefined, t0: number, timeoutMs: number, signal: AbortSignal): Promise<Ready | null> {
  while (performance.now() - t0 < timeoutMs && !signal.aborted) {
    const file = path();
    const text = file === undefined ? '' : readText(file);
    if (READY.test(text)) return { ms: performance.now() - t0, guest: guestClock(text) };
    await sleep(50);
  }
  return null;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Bare QEMU.

interface BootSample { toPingMs: number; ready: Ready | null }

const sampleLine = (s: BootSample): string =>
  `ping ${Math.round(s.toPingMs)} ms, ready ${s.ready === null ? 'not seen' : `${Math.round(s.ready.ms)} ms (guest clock: dhcp ${s.ready.guest.dhcp_s} s, ready ${s.ready.guest.ready_s} s)`}`;

/** The figures both paths report; guest_*: the guest's uptime at that line (its own boot, without what came before the kernel). */
function bootFigures(samples: readonly BootSample[]): Record<string, unknown> {
  const ready = samples.flatMap((s) => (s.ready === null ? [] : [s.ready]));
  const clock = (key: keyof GuestClock): Samples => {
    const values = ready.flatMap((r) => (r.guest[key] === null ? [] : [r.guest[key]!]));
    return { p50: round2(percentile([...values].sort((a, b) => a - b), 50)), samples: values };
  };
  return { to_ping_ms: summary(samples.map((s) => s.toPingMs)), to_ready_ms: summary(ready.map((r) => r.ms)), guest_dhcp_s: clock('dhcp_s'), guest_ready_s: clock('ready_s') };
}

async function bareBoot(image: GuestImage, accelerator: Accelerator, index: number, dirs: Set<string>): Promise<BootSample> {
  const work = mkdtempSync(join(tmpdir(), 'nimbus-bench-bare-'));
  dirs.add(work);
  const net = await startGuestNet(`bare${index}`);
  dirs.add(net.stateDir);
  try {
    const uuid = randomUUID();
    const mac = 'fa:16:3e:00:93:0a';
    const ip = '10.93.0.10';
    const tap = tapName(randomUUID());
    await net.addLease(mac, ip, `host-${ip.replace(/\./g, '-')}`);
    // What Nova's metadata API would give it (no keys, no user data: the Nimbus servers get none either).
    net.setMetadata('/openstack/latest/meta_data.json', JSON.stringify({ uuid, name: 'bare', hostname: 'bare', launch_index: 0, availability_zone: 'nova', meta: {} }));
    const disk = join(work, 'disk');
    await createOverlay(image.path, disk, { sizeBytes: Math.max(GIB, image.virtualSizeBytes) });
    const serialLog = join(work, 'console.log');
    // QemuDriver.specFor for flavor m1.nano (42) with one port on a 1450-MTU network.
    const args = buildQemuArgs({
      name: `instance-${uuid}`, uuid, vcpus: 1, memoryMb: 128, machine: 'pc', accelerator,
      disks: [{ path: disk, format: 'qcow2', bus: 'virtio' }], nics: [{ tap, mac, model: 'virtio', mtu: MTU }],
      serialLogPath: serialLog, vnc: { unixSocket: join(work, 'vnc.sock') }, qmpSocketPath: join(work, 'qmp.sock'),
    });
    const t0 = performance.now();
    const abort = new AbortController();
    await net.daemons.ensure({ id: 'bare-qemu', netns: net.netns, command: QEMU_BINARY, args, logFile: join(work, 'qemu.log') });
    // The L2 agent's job in Nimbus: the tap QEMU created goes into the bridge.
    await net.plugTap(tap);
    const ready = readyInLog(() => serialLog, t0, BOOT_TIMEOUT_MS, abort.signal);
    try {
      return { toPingMs: await firstPingReply(() => net.netns, ip, t0, BOOT_TIMEOUT_MS, abort.signal), ready: await ready };
    } finally {
      abort.abort();
    }
  } finally {
    await net.daemons.stop('bare-qemu', 2000).catch(() => undefined);
    await net.close();
    rmSync(work, { recursive: true, force: true });
    dirs.delete(work);
    dirs.delete(net.stateDir);
  }
}

async function runBare(log: BenchLog, image: GuestImage, accelerator: Accelerator, runs: number): Promise<Record<string, unknown>> {
  const dirs = new Set<string>();
  // startGuestNet's namespaces are nimbus-t<pid>-<tag>.
  const exitHook = (): void => {
    cleanNamespacesSync(`nimbus-t${process.pid}-`);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', exitHook);
  try {
    const samples: BootSample[] = [];
    for (let i = 0; i < runs; i++) {
      const sample = await bareBoot(image, accelerator, i, dirs);
      log(`bare QEMU ${i + 1}/${runs}: ${sampleLine(sample)}`);
      samples.push(sample);
    }
    return bootFigures(samples);
  } finally {
    exitHook();
    process.off('exit', exitHook);
  }
}

// ---------------------------------------------------------------------------------------------
// Nimbus: the all-in-one as a child process.

/**
 * toSpawnMs: until the agent opened QEMU's log file, just before it spawned QEMU (bare QEMU's t0).
 * cloudCpuMs: CPU time the all-in-one process (APIs, conductor, agents) used from POST to the ping reply.
 */
interface ServerSample extends BootSample { toActiveMs: number; toSpawnMs: number | null; cloudCpuMs: number | null }

/** utime + stime of a process in ms (/proc/<pid>/stat, USER_HZ 100); null if unreadable. */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const fields = readText(`/proc/${pid}/stat`).replace(/^.*\) /, '').split(' ');
  // After "(comm) ": field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * 10 : null;
}

async function bootServer(api: CloudApi, cloud: SandboxCloud, host: string, image: string, net: BenchNetwork, name: string): Promise<ServerSample> {
  const cpu0 = cpuMs(cloud.child.pid);
  const t0 = performance.now();
  const created = (await api.request('compute', 'POST', '/servers', [202],
    { server: { name, imageRef: image, flavorRef: '42', networks: [{ uuid: net.networkId }] } })).server as { id: string };
  // Stops the probes still running when this boot ends, failed or not.
  const abort = new AbortController();
  try {
    const consoleLog = join(cloud.dataDir, 'compute', host, 'instances', created.id, 'console.log');
    const qemuLog = join(cloud.dataDir, 'compute', host, 'logs', `${created.id}.qemu.log`);
    const ready = readyInLog(() => consoleLog, t0, BOOT_TIMEOUT_MS, abort.signal);
    let ping: Promise<number> | undefined;
    let toActiveMs: number | undefined;
    let toSpawnMs: number | null = null;
    while (toActiveMs === undefined) {
      if (toSpawnMs === null && existsSync(qemuLog)) toSpawnMs = performance.now() - t0;
      if (performance.now() - t0 > BOOT_TIMEOUT_MS) throw new Error(`server ${created.id} not ACTIVE in ${BOOT_TIMEOUT_MS / 1000} s`);
      const server = (await api.request('compute', 'GET', `/servers/${created.id}`, [200])).server as
        { status: string; addresses: Record<string, { addr: string; version: number }[]>; fault?: { message: string } };
      if (server.status === 'ERROR') throw new Error(`server ${created.id} ERROR: ${server.fault?.message ?? 'no fault'}`);
      // Ping as soon as the address is known (the info cache is written before QEMU starts).
      const ip = Object.values(server.addresses ?? {}).flat().find((a) => a.version === 4)?.addr;
      if (ip !== undefined && ping === undefined) {
        ping = firstPingReply(() => net.netns, ip, t0, BOOT_TIMEOUT_MS, abort.signal);
        ping.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      }
      if (server.status === 'ACTIVE') toActiveMs = performance.now() - t0;
      else await sleep(50);
    }
    if (ping === undefined) throw new Error(`server ${created.id} ACTIVE without an IPv4 address`);
    const toPingMs = await ping;
    const cpu1 = cpuMs(cloud.child.pid);
    const cloudCpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
    return { toActiveMs, toSpawnMs, toPingMs, cloudCpuMs, ready: await ready };
  } finally {
    abort.abort();
    await api.request('compute', 'DELETE', `/servers/${created.id}`, [204, 404]);
    await eventually(`server ${created.id} deleted`, async () =>
      (await fetchStatus(api, created.id)) === 404 ? true : undefined, 120_000, 100);
  }
}

async function fetchStatus(api: CloudApi, id: string): Promise<number> {
  try {
    await api.request('compute', 'GET', `/servers/${id}`, [200]);
    return 200;
  } catch (err) {
    return /HTTP 404/.test(String(err)) ? 404 : 0;
  }
}

async function runNimbus(log: BenchLog, runs: number): Promise<Record<string, unknown>> {
  const cloud = await startSandboxCloud(log, { hosts: 1 });
  try {
    const host = cloud.hosts[0]!;
    const api = await CloudApi.login(cloud.dataDir);
    const image = await waitCloudReady(api, cloud.hosts);
    const net = await prepareNetwork(api, cloud.sandbox, 'bench-boot');
    // The first boot also fetches the image into the host's base image cache: reported apart.
    const samples: ServerSample[] = [];
    let cold: ServerSample | undefined;
    for (let i = 0; i <= runs; i++) {
      const sample = await bootServer(api, cloud, host, image, net, `bench-${i}`);
      log(`nimbus ${i === 0 ? 'cold (image download)' : `${i}/${runs}`}: QEMU spawned ${sample.toSpawnMs === null ? '?' : Math.round(sample.toSpawnMs)} ms, ACTIVE ${Math.round(sample.toActiveMs)} ms, ${sampleLine(sample)}; all-in-one CPU ${sample.cloudCpuMs} ms`);
      if (i === 0) cold = sample; else samples.push(sample);
    }
    return {
      to_qemu_spawn_ms: summary(samples.flatMap((s) => (s.toSpawnMs === null ? [] : [s.toSpawnMs]))),
      to_active_ms: summary(samples.map((s) => s.toActiveMs)),
      cloud_cpu_ms: summary(samples.flatMap((s) => (s.cloudCpuMs === null ? [] : [s.cloudCpuMs]))),
      ...bootFigures(samples),
      cold_first_boot: cold && { to_qemu_spawn_ms: cold.toSpawnMs === null ? null : Math.round(cold.toSpawnMs), to_active_ms: Math.round(cold.toActiveMs), to_ping_ms: Math.round(cold.toPingMs), to_ready_ms: cold.ready === null ? null : Math.round(cold.ready.ms) },
    };
  } finally {
    await cloud.stop();
  }
}

// ---------------------------------------------------------------------------------------------

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (namespaces, taps, the sandbox)';
  if (!existsSync(`/usr/bin/${QEMU_BINARY}`)) return `needs ${QEMU_BINARY}`;
  if (!existsSync('/usr/sbin/dnsmasq')) return 'needs dnsmasq';
  return undefined;
}

export async function runComputeBootBench(log: BenchLog, options: BootBenchOptions = {}): Promise<Record<string, unknown>> {
  const skipped = skipReason();
  if (skipped) return { skipped };
  const runs = options.runs ?? 3;
  const loadAtStart = loadavg();
  const accelerator = await probeAccelerator();
  log(`guest image (cached in ${IMAGE_DIR}); accelerator ${accelerator}`);
  const image = await buildGuestImage({ outDir: IMAGE_DIR });
  const bare = await runBare(log, image, accelerator, runs);
  const nimbus = await runNimbus(log, runs);
  const bareP50 = (bare.to_ping_ms as Samples).p50;
  const nimbusP50 = (nimbus.to_ping_ms as Samples).p50;
  return {
    machine: { cpus: cpus().length, accelerator, load_average_at_start: loadAtStart.map((l) => round2(l)) },
    runs,
    bare,
    nimbus,
    overhead_ms: bareP50 === null || nimbusP50 === null ? null : round2(nimbusP50 - bareP50),
    target_overhead_ms: 1000,
  };
}

// The real all-in-one as a child process for the compute benchmarks: a sandbox of `hosts`
// simulated hosts (nimbus-<name>-h<i>), no uplink, the test image, every port free (the console
// proxies' too), an empty config file (shipped defaults), a temporary data directory. stop() ends
// it by pid, ends any guest QEMU it left (by the pidfiles), runs `bin/nimbus sandbox destroy` with
// the same environment and removes the directory; a synchronous exit hook does the same if the
// benchmark dies first.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { listNetns } from '../src/hostnet/index.js';
import { sandboxNamespaces } from '../src/hostnet/sandbox/index.js';
import type { BenchLog } from './bench-log.js';
import { freePort } from './free-port.js';
import { cleanNamespacesSync } from './netns-cleanup.js';

// dist/bench/sandbox-cloud.js → the repository root.
const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const GUEST_IMAGE_DIR = join(REPO_ROOT, 'dist/guest-image');

export interface SandboxCloud {
  readonly sandbox: string;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly child: ChildProcess;
  /** The simulated hosts' compute host names: <sandbox>-host1 … */
  readonly hosts: readonly string[];
  stop(): Promise<void>;
}

export interface SandboxCloudOptions {
  readonly hosts: number;
  /** NIMBUS_LOG_LEVEL (default warn). */
  readonly logLevel?: string;
  /** Each line the all-in-one writes (its JSON log lines among them). */
  readonly onLine?: (line: string) => void;
}

/** b<pid%1000>, or the next number whose namespaces nobody has. */
async function freeSandboxName(): Promise<string> {
  for (let k = 0; k < 20; k++) {
    const name = `b${(process.pid + k) % 1000}`;
    if ((await sandboxNamespaces(name)).length === 0) return name;
  }
  throw new Error('no free sandbox name b<n>: remove leftover nimbus-b<n>-… namespaces of an earlier run');
}

async function cloudEnv(sandbox: string, dataDir: string, options: SandboxCloudOptions): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {};
  // Inherited NIMBUS_* settings would change what is measured; an empty config = shipped defaults.
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('NIMBUS_')) env[key] = value;
  const configPath = join(dataDir, 'nimbus.json');
  writeFileSync(configPath, '{}\n');
  const port = async (): Promise<string> => String(await freePort());
  return {
    ...env, NIMBUS_CONFIG: configPath, NIMBUS_DATA_DIR: dataDir, NIMBUS_LOG_LEVEL: options.logLevel ?? 'warn',
    NIMBUS_DATAPLANE: 'sandbox', NIMBUS_SANDBOX_NAME: sandbox, NIMBUS_SANDBOX_HOSTS: String(options.hosts), NIMBUS_UPLINK: 'false',
    NIMBUS_GUEST_IMAGE: '1', NIMBUS_GUEST_IMAGE_DIR: GUEST_IMAGE_DIR,
    NIMBUS_IDENTITY_PORT: await port(), NIMBUS_IMAGE_PORT: await port(), NIMBUS_NETWORK_PORT: await port(),
    NIMBUS_COMPUTE_PORT: await port(), NIMBUS_PLACEMENT_PORT: await port(), NIMBUS_COMPUTE_METADATA_PORT: await port(),
    NIMBUS_CONSOLE_NOVNC_PORT: await port(), NIMBUS_CONSOLE_SERIAL_PORT: await port(),
  };
}

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/** Ends the guests' QEMU processes the agents left, by the pids in <dataDir>/compute/<host>/pids. */
function killGuestsSync(dataDir: string): void {
  const computeDir = join(dataDir, 'compute');
  for (const host of existsSync(computeDir) ? readdirSync(computeDir) : []) {
    const dir = join(computeDir, host, 'pids');
    for (const file of existsSync(dir) ? readdirSync(dir) : []) {
      const pid = Number(/^\s*(\d+)/.exec(readText(join(dir, file)))?.[1]);
      // Only a QEMU: a stale pidfile's number may belong to someone else by now.
      if (pid > 0 && /qemu/.test(readText(`/proc/${pid}/comm`))) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function linesOf(child: ChildProcess, onLine: ((line: string) => void) | undefined, all: { text: string }): void {
  let partial = '';
  const take = (d: Buffer): void => {
    const text = d.toString();
    // Only the start-up output is kept whole (for the error message); later lines go to onLine.
    if (all.text.length < 200_000) all.text += text;
    if (!onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
}

export async function startSandboxCloud(log: BenchLog, options: SandboxCloudOptions): Promise<SandboxCloud> {
  const sandbox = await freeSandboxName();
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-cloud-'));
  const env = await cloudEnv(sandbox, dataDir, options);
  log(`all-in-one: sandbox ${sandbox}, ${options.hosts} simulated host(s), no uplink`);
  const child = spawn(join(REPO_ROOT, 'bin/nimbus'), ['all-in-one'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { text: '' };
  linesOf(child, options.onLine, output);
  const destroySync = (): void => {
    killGuestsSync(dataDir);
    cleanNamespacesSync(`nimbus-${sandbox}-`);
    try { execFileSync(join(REPO_ROOT, 'bin/nimbus'), ['sandbox', 'destroy'], { cwd: REPO_ROOT, env, stdio: 'ignore', timeout: 60_000 }); } catch { /* best effort */ }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const exitHook = (): void => {
    if (running(child) && child.pid !== undefined) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    destroySync();
  };
  process.on('exit', exitHook);
  const stop = async (): Promise<void> => {
    if (running(child)) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const waited = new AbortController();
      await Promise.race([exited, sleep(30_000, undefined, { signal: waited.signal }).catch(() => undefined)]);
      waited.abort();
      if (running(child)) child.kill('SIGKILL');
    }
    // The guests and helpers it may have left, then the sandbox's namespaces and links, then its files.
    destroySync();
    process.off('exit', exitHook);
    const left = (await listNetns()).filter((n) => n.startsWith(`nimbus-${sandbox}-`));
    if (left.length > 0) log(`warning: namespaces left after sandbox destroy: ${left.join(' ')}`);
  };
  try {
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`all-in-one not ready in 300 s:\n${output.text}`)), 300_000);
      const check = setInterval(() => {
        if (output.text.includes('Credentials:')) { clearInterval(check); clearTimeout(timer); ready(); }
      }, 100);
      child.once('exit', (code) => { clearInterval(check); clearTimeout(timer); fail(new Error(`all-in-one exited (${code}):\n${output.text}`)); });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const hosts = Array.from({ length: options.hosts }, (_, i) => `${sandbox}-host${i + 1}`);
  return { sandbox, dataDir, env, child, hosts, stop };
}

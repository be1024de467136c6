// The real all-in-one (`bin/nimbus all-in-one`) as a child process: a throw-away data
// directory, free identity and image ports, an empty config file (so every setting — the password hash
// cost above all — is the shipped default), ready once it prints `Credentials:`. stop() ends it by
// pid and removes the directory; an exit hook does the same if the benchmark dies first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

export interface AllInOneProcess {
  readonly pid: number;
  readonly dataDir: string;
  readonly identityUrl: string;
  /** The image API's root (no version): `${imageUrl}/v2/images`. */
  readonly imageUrl: string;
  readonly adminPassword: string;
  stop(): Promise<void>;
}

// dist/bench/all-in-one-process.js → the repository root.
const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

function cleanEnv(dataDir: string, port: number, imagePort: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Inherited NIMBUS_* settings (a lowered NIMBUS_PASSWORD_HASH_LOG_N, say) would skew the figures.
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('NIMBUS_')) env[key] = value;
  const configPath = join(dataDir, 'nimbus.json');
  writeFileSync(configPath, '{}\n');
  return { ...env, NIMBUS_CONFIG: configPath, NIMBUS_DATA_DIR: dataDir, NIMBUS_IDENTITY_PORT: String(port), NIMBUS_IMAGE_PORT: String(imagePort), NIMBUS_LOG_LEVEL: 'warn', NIMBUS_DATAPLANE: 'off' };
}

function waitForReady(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err); else resolvePromise();
    };
    const onData = (): void => { if (output().includes('Credentials:')) done(); };
    const onExit = (code: number | null): void => done(new Error(`all-in-one exited (${code}) before it was ready:\n${output()}`));
    const timer = setTimeout(() => done(new Error(`all-in-one not ready after ${START_TIMEOUT_MS / 1000} s:\n${output()}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stopChild(child: ChildProcess, pid: number): Promise<void> {
  if (!running(child)) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  process.kill(pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((done) => { timer = setTimeout(done, STOP_TIMEOUT_MS); })]);
  clearTimeout(timer);
  if (running(child)) process.kill(pid, 'SIGKILL');
}

/** `parentDir`: where its data directory goes (default: the system temp directory). */
export async function launchAllInOne(parentDir: string = tmpdir()): Promise<AllInOneProcess> {
  const dataDir = mkdtempSync(join(parentDir, 'nimbus-bench-'));
  const port = await freePort();
  const imagePort = await freePort();
  const child = spawn(join(REPO_ROOT, 'bin/nimbus'), ['all-in-one'], {
    cwd: REPO_ROOT, env: cleanEnv(dataDir, port, imagePort), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const pid = child.pid!;
  const emergencyStop = (): void => {
    if (running(child)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', emergencyStop);
  const stop = async (): Promise<void> => {
    process.off('exit', emergencyStop);
    await stopChild(child, pid);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForReady(child, () => output);
    const adminPassword = readFileSync(join(dataDir, 'admin-password'), 'utf8').trim();
    return { pid, dataDir, identityUrl: `http://127.0.0.1:${port}/v3`, imageUrl: `http://127.0.0.1:${imagePort}`, adminPassword, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

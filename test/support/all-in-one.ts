// Starts the real all-in-one (`bin/nimbus all-in-one`) on free ports with a throw-away data
// directory, for end-to-end tests that drive it with real clients; stop() ends it by pid.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

export { freePort };

const run = promisify(execFile);

export interface AllInOne {
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly identityUrl: string;
  readonly imageUrl: string;
  readonly networkUrl: string;
  readonly placementUrl: string;
  /** Runs the real `openstack` client with the admin openrc (plus `extraEnv`); -f json output parsed. */
  openstack(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<string>;
  openstackJson<T = Record<string, unknown>>(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<T>;
  /** kill -9 of the all-in-one (its data directory, sandbox and guests stay). */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and ports, after kill(). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function parseOpenrc(text: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const line of text.split('\n')) {
    const m = /^export (\w+)='(.*)'$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/'\\''/g, "'");
  }
  return env;
}

/** Starts `bin/nimbus all-in-one` with `env` and resolves once it printed its credentials. */
async function spawnReady(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child: ChildProcess = spawn('bin/nimbus', ['all-in-one'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`all-in-one did not start in 300 s:\n${output}`)); }, 300_000);
    const check = setInterval(() => {
      if (output.includes('Credentials:')) { clearInterval(check); clearTimeout(timer); resolve(); }
    }, 100);
    child.once('exit', (code) => { clearInterval(check); clearTimeout(timer); reject(new Error(`all-in-one exited (${code}):\n${output}`)); });
  });
  return child;
}

export async function startAllInOne(extraEnv: NodeJS.ProcessEnv = {}): Promise<AllInOne> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-e2e-'));
  const port = await freePort();
  const imagePort = await freePort();
  const networkPort = await freePort();
  const computePort = await freePort();
  const placementPort = await freePort();
  const metadataPort = await freePort();
  // The console proxy too: a cloud already running here (or another test's) holds 6080/6083.
  const novncPort = await freePort();
  const serialPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env, NIMBUS_DATA_DIR: dataDir, NIMBUS_IDENTITY_PORT: String(port), NIMBUS_IMAGE_PORT: String(imagePort),
    NIMBUS_NETWORK_PORT: String(networkPort), NIMBUS_COMPUTE_PORT: String(computePort), NIMBUS_PLACEMENT_PORT: String(placementPort), NIMBUS_COMPUTE_METADATA_PORT: String(metadataPort),
    NIMBUS_CONSOLE_NOVNC_PORT: String(novncPort), NIMBUS_CONSOLE_SERIAL_PORT: String(serialPort),
    // No test image unless a test asks (NIMBUS_GUEST_IMAGE: '1'); builds are shared in dist/guest-image.
    NIMBUS_LOG_LEVEL: 'warn', NIMBUS_DATAPLANE: 'off', NIMBUS_GUEST_IMAGE: '0', NIMBUS_GUEST_IMAGE_DIR: resolve('dist/guest-image'), ...extraEnv,
  };
  delete env.NIMBUS_CONFIG;
  let child: ChildProcess;
  try {
    child = await spawnReady(env);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const adminEnv = { ...process.env, ...parseOpenrc(readFileSync(join(dataDir, 'openrc'), 'utf8')) };
  const openstack = async (args: string[], more: NodeJS.ProcessEnv = {}): Promise<string> => {
    const { stdout } = await run('openstack', args, { env: { ...adminEnv, ...more }, timeout: 120_000 });
    return stdout;
  };
  return {
    dataDir,
    env: adminEnv,
    identityUrl: `http://127.0.0.1:${port}/v3`,
    imageUrl: `http://127.0.0.1:${imagePort}`,
    networkUrl: `http://127.0.0.1:${networkPort}`,
    placementUrl: `http://127.0.0.1:${placementPort}`,
    openstack,
    openstackJson: async <T>(args: string[], more?: NodeJS.ProcessEnv) => JSON.parse(await openstack([...args, '-f', 'json'], more)) as T,
    async kill() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    },
    async restart() {
      child = await spawnReady(env);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => { child.once('exit', resolve); setTimeout(resolve, 10_000); });
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

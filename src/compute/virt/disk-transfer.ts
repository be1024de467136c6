// Moving a stopped guest's disk from one host to another (resize and cold migration) over the
// underlay, without shared storage or SSH keys between hosts: the source exports the disk
// read-only with qemu-nbd on its migration address, for one client; the destination pulls it into
// a standalone qcow2 with `qemu-img convert` (NBD's block status keeps holes as holes). qemu-nbd
// exits when that client disconnects; close() ends it by pid if nobody came.
import { randomInt } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { run } from '../../hostnet/index.js';
import { DiskError } from './disks.js';

/** An export waiting for its one client. */
export interface DiskExport {
  /** nbd://<address>:<port>/disk */
  readonly uri: string;
  /** Ends qemu-nbd if it still runs (idempotent). */
  close(): Promise<void>;
}

export interface ExportOptions {
  /** The host's migration address (Nova's my_ip): where the destination connects. */
  readonly address: string;
  /** The host's network namespace (simulated hosts). */
  readonly netns?: string;
  readonly pidFile: string;
}

const PULL_TIMEOUT_MS = 30 * 60_000;
const EXPORT_NAME = 'disk';
const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;

function uriHost(address: string): string {
  return IPV4.test(address) ? address : `[${address}]`;
}

async function isQemuNbd(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0')[0]?.endsWith('qemu-nbd') ?? false;
}

/** Exports `path` (qcow2, not in use) read-only on a free port of `address`. */
export async function exportDisk(path: string, options: ExportOptions): Promise<DiskExport> {
  let lastError: unknown;
  // A port someone else holds makes qemu-nbd fail at bind: try another.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = randomInt(49152, 65000);
    try {
      // --fork: the parent exits once the server listens, so the URI works when this returns.
      await run('qemu-nbd', ['--fork', `--pid-file=${options.pidFile}`, '--read-only', '--format=qcow2', `--bind=${options.address}`,
        `--port=${port}`, `--export-name=${EXPORT_NAME}`, '--shared=1', path], { ...(options.netns !== undefined ? { netns: options.netns } : {}), timeoutMs: 30_000 });
    } catch (error) {
      lastError = error;
      continue;
    }
    const pid = Number((await readFile(options.pidFile, 'utf8').catch(() => '')).trim());
    let closed = false;
    return {
      uri: `nbd://${uriHost(options.address)}:${port}/${EXPORT_NAME}`,
      async close() {
        if (closed) return;
        closed = true;
        if (Number.isInteger(pid) && pid > 0 && (await isQemuNbd(pid))) {
          try { process.kill(pid, 'SIGTERM'); } catch { /* exited meanwhile */ }
        }
        await rm(options.pidFile, { force: true });
      },
    };
  }
  throw new DiskError(`could not export ${path} over NBD: ${(lastError as Error | undefined)?.message ?? 'unknown error'}`);
}

/** Pulls the export at `uri` into `dest` (a new standalone qcow2), from inside `netns`. */
export async function pullDisk(uri: string, dest: string, netns?: string): Promise<void> {
  if (!/^nbd:\/\/[0-9A-Za-z.:[\]]+:\d+\/[a-z]+$/.test(uri)) throw new DiskError(`not an NBD export: ${JSON.stringify(uri)}`);
  await rm(dest, { force: true });
  await run('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', uri, dest], { ...(netns !== undefined ? { netns } : {}), timeoutMs: PULL_TIMEOUT_MS });
}

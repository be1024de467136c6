// Supervision of helper daemons (dnsmasq, haproxy, …) that must survive an agent crash and be
// re-adopted by the next agent. A pid is only ever signalled after /proc proves it is the process
// we started (same argv and start time), so a stale pidfile after pid reuse is harmless.
// Daemons must stay in the foreground (dnsmasq -k, haproxy -db): the pid we spawn is the one tracked.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, open, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostnetError } from './exec.js';
import { assertDaemonId, assertNetnsName } from './names.js';
import { assertArgs, assertCommand } from './values.js';
import { inode, procGone, procIdentity, sameArgv, type ProcIdentity } from './procfs.js';
import { readPidfile, removePidfile, writePidfile, type PidRecord } from './pidfile.js';

export interface DaemonSpec { id: string; netns?: string; command: string; args: readonly string[]; logFile?: string }

/** How long a fresh daemon must survive before ensure() believes it started. */
const STARTUP_GRACE_MS = 100;
/** Upper bound for `ip netns exec` to exec the real command. */
const EXEC_WAIT_MS = 2000;
const POLL_MS = 25;

export class Daemons {
  private readonly pidDir: string;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(stateDir: string) {
    this.pidDir = join(stateDir, 'pids');
  }

  /** Adopts the running daemon if it matches the spec, else (re)starts it. */
  async ensure(spec: DaemonSpec): Promise<{ pid: number; started: boolean }> {
    assertDaemonId(spec.id);
    if (spec.netns !== undefined) assertNetnsName(spec.netns);
    assertCommand(spec.command);
    assertArgs(spec.args);
    const argv = [spec.command, ...spec.args];
    return this.locked(spec.id, async () => {
      const path = this.pidPath(spec.id);
      const record = await readPidfile(path);
      const live = record && (await verify(record));
      if (record && live) {
        if (sameArgv(live.argv, argv) && record.netns === spec.netns && (await inNetns(live, spec.netns))) {
          return { pid: record.pid, started: false };
        }
        await terminate(record, 5000); // ours, but started from an older spec
      }
      await removePidfile(path);
      return this.start(spec, argv, path);
    });
  }

  /** Sends a signal (e.g. SIGHUP to reload) if the daemon is running; false otherwise. */
  async signal(id: string, signal: NodeJS.Signals): Promise<boolean> {
    const record = await readPidfile(this.pidPath(assertDaemonId(id)));
    if (!record || !(await verify(record))) return false;
    try {
      process.kill(record.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM, SIGKILL after timeoutMs; removes the pidfile. No-op if not running. */
  async stop(id: string, timeoutMs = 5000): Promise<void> {
    const path = this.pidPath(assertDaemonId(id));
    return this.locked(id, async () => {
      const record = await readPidfile(path);
      if (record && (await verify(record))) await terminate(record, timeoutMs);
      await removePidfile(path);
    });
  }

  /** Ids whose pidfile points at the live daemon it recorded. */
  async running(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.pidDir);
    } catch {
      return [];
    }
    const ids: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.pid')).sort()) {
      const record = await readPidfile(join(this.pidDir, name));
      if (record && (await verify(record))) ids.push(name.slice(0, -'.pid'.length));
    }
    return ids;
  }

  private pidPath(id: string): string {
    return join(this.pidDir, `${id}.pid`);
  }

  /** Serialises operations per id within this instance (two ensure() calls must not both start). */
  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.locks.set(id, next);
    void next.finally(() => { if (this.locks.get(id) === next) this.locks.delete(id); }).catch(() => undefined);
    return next;
  }

  private async start(spec: DaemonSpec, argv: string[], path: string): Promise<{ pid: number; started: boolean }> {
    // `ip netns exec` execs the command, so the pid (and later /proc cmdline) is the daemon's.
    const [file, args] = spec.netns === undefined ? [spec.command, [...spec.args]] : ['ip', ['netns', 'exec', spec.netns, ...argv]];
    let fd: number | undefined;
    if (spec.logFile !== undefined) {
      await mkdir(dirname(spec.logFile), { recursive: true });
      fd = openSync(spec.logFile, 'a');
    }
    let exit: string | undefined;
    let pid: number;
    try {
      const child = spawn(file, args, { detached: true, stdio: fd === undefined ? 'ignore' : ['ignore', fd, fd] });
      child.on('exit', (code, signal) => { exit = signal ? `was killed by ${signal}` : `exited with code ${code}`; });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      }).catch((error: Error) => {
        throw new HostnetError(`daemon ${spec.id}: cannot start ${file}: ${error.message}`, { command: file, args });
      });
      child.unref();
      pid = child.pid!;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const failed = async (why: string): Promise<never> => {
      const tail = spec.logFile === undefined ? '' : await logTail(spec.logFile);
      throw new HostnetError(`daemon ${spec.id} (${argv.join(' ')}) ${why}${tail ? `: ${tail}` : ''}`, { command: file, args, stderr: tail });
    };
    // A daemon with bad arguments usually dies at once: give it a moment to do so.
    await sleep(STARTUP_GRACE_MS);
    let live: ProcIdentity | undefined;
    for (let waited = 0; ; waited += POLL_MS) {
      live = exit === undefined ? await procIdentity(pid) : undefined;
      if (!live) return failed(exit ?? 'exited during startup');
      if (sameArgv(live.argv, argv)) break;
      if (waited >= EXEC_WAIT_MS) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
        return failed(`did not show the expected command line (saw: ${live.argv.join(' ')})`);
      }
      await sleep(POLL_MS);
    }
    const record: PidRecord = { pid, argv, starttime: live.starttime };
    if (spec.netns !== undefined) record.netns = spec.netns;
    await writePidfile(path, record);
    return { pid, started: true };
  }
}

/** The live process behind a pidfile record, if it is still the one we recorded. */
async function verify(record: PidRecord): Promise<ProcIdentity | undefined> {
  if (!record.argv) return undefined;
  const live = await procIdentity(record.pid);
  if (!live || !sameArgv(live.argv, record.argv)) return undefined;
  if (record.starttime !== undefined && live.starttime !== record.starttime) return undefined;
  return live;
}

/** Is the process in the named namespace (or, without one, in ours)? */
async function inNetns(live: ProcIdentity, netns: string | undefined): Promise<boolean> {
  const expected = await inode(netns === undefined ? '/proc/self/ns/net' : `/run/netns/${netns}`);
  return expected !== undefined && live.netnsInode === expected;
}

/** TERM, wait, KILL; re-verifies before every signal so a reused pid is never hit. */
async function terminate(record: PidRecord, timeoutMs: number): Promise<void> {
  const live = await verify(record);
  if (!live) return;
  const signalIfOurs = async (signal: NodeJS.Signals): Promise<boolean> => {
    if (!(await verify(record))) return false;
    try { process.kill(record.pid, signal); } catch { return false; }
    return true;
  };
  const waitGone = async (ms: number): Promise<boolean> => {
    for (let waited = 0; waited < ms; waited += POLL_MS) {
      if (await procGone(record.pid, live.starttime)) return true;
      await sleep(POLL_MS);
    }
    return procGone(record.pid, live.starttime);
  };
  if (!(await signalIfOurs('SIGTERM')) || (await waitGone(timeoutMs))) return;
  if (!(await signalIfOurs('SIGKILL')) || (await waitGone(5000))) return;
  throw new HostnetError(`daemon pid ${record.pid} survived SIGKILL`, { command: 'kill', args: ['-KILL', String(record.pid)] });
}

async function logTail(file: string, bytes = 2000): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - bytes);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      return buffer.toString('utf8').trim();
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

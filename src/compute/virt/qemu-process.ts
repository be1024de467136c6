// QEMU guests as supervised processes: started through hostnet's Daemons in the compute host's
// namespace (so the tap QEMU creates appears there, where the L2 agent plugs it into the bridge),
// driven over QMP, stopped gracefully (ACPI power button, then QMP quit, then kill), and re-adopted
// by a new manager after an agent restart: the pidfile proves the process is the QEMU we started
// (argv + start time in /proc) and the QMP socket is reconnected; nothing is restarted.
//
// Layout under stateDir:  pids/qemu-<uuid>.pid (Daemons)   qmp/<uuid>.sock   logs/<uuid>.qemu.log
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Daemons } from '../../hostnet/index.js';
import { buildQemuArgs, QEMU_BINARY, type VmSpec } from './command-line.js';
import { QmpClient, type QmpStatus } from './qmp.js';
import { DASHED_UUID as UUID } from '../../core/ids.js';

export const DAEMON_PREFIX = 'qemu-';
/** sun_path is 108 bytes with its NUL. */
const MAX_SOCKET_PATH = 107;

export interface QemuManagerOptions {
  /** Where pidfiles, QMP sockets and QEMU's own logs live. */
  stateDir: string;
  /** The compute host's namespace (simulated hosts); undefined = the agent's own. */
  netns?: string;
  qemuBinary?: string;
  /** How long start() waits for QMP. */
  qmpTimeoutMs?: number;
}

/** The spec without what the manager decides (QMP socket); pidfiles are Daemons'. */
export type StartSpec = Omit<VmSpec, 'qmpSocketPath' | 'pidfile'>;

export type StopOutcome = 'powered-off' | 'quit' | 'killed' | 'not-running';

export class QemuProcessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QemuProcessError';
  }
}

export interface VmHandle {
  uuid: string;
  pid: number;
  /** true if start() started it now, false if it was already running (adopted). */
  started: boolean;
  qmp: QmpClient;
}

export class QemuProcessManager {
  readonly stateDir: string;
  readonly netns: string | undefined;
  private readonly daemons: Daemons;
  private readonly binary: string;
  private readonly qmpTimeoutMs: number;
  private readonly handles = new Map<string, VmHandle>();

  constructor(options: QemuManagerOptions) {
    this.stateDir = options.stateDir;
    this.netns = options.netns;
    this.daemons = new Daemons(options.stateDir);
    this.binary = options.qemuBinary ?? QEMU_BINARY;
    this.qmpTimeoutMs = options.qmpTimeoutMs ?? 15_000;
    if (this.qmpSocketPath('00000000-0000-0000-0000-000000000000').length > MAX_SOCKET_PATH) {
      throw new QemuProcessError(`stateDir ${options.stateDir} is too long for unix socket paths (${MAX_SOCKET_PATH} bytes)`);
    }
  }

  qmpSocketPath(uuid: string): string {
    return join(this.stateDir, 'qmp', `${checkUuid(uuid)}.sock`);
  }

  qemuLogPath(uuid: string): string {
    return join(this.stateDir, 'logs', `${checkUuid(uuid)}.qemu.log`);
  }

  pidfilePath(uuid: string): string {
    return join(this.stateDir, 'pids', `${daemonId(uuid)}.pid`);
  }

  /** The argv QEMU is (or would be) started with for `spec`. */
  argsFor(spec: StartSpec): string[] {
    return buildQemuArgs({ ...spec, uuid: checkUuid(spec.uuid), qmpSocketPath: this.qmpSocketPath(spec.uuid) });
  }

  /**
   * Starts the guest unless it already runs (then it is adopted as is: a running guest is never
   * restarted because its spec changed), connects QMP and returns the handle.
   */
  async start(spec: StartSpec): Promise<VmHandle> {
    const uuid = checkUuid(spec.uuid);
    const existing = await this.adopt(uuid);
    if (existing) return existing;
    const args = this.argsFor(spec);
    await mkdir(join(this.stateDir, 'qmp'), { recursive: true, mode: 0o700 });
    await rm(this.qmpSocketPath(uuid), { force: true });
    const daemonSpec = { id: daemonId(uuid), command: this.binary, args, logFile: this.qemuLogPath(uuid), ...(this.netns === undefined ? {} : { netns: this.netns }) };
    const { pid } = await this.daemons.ensure(daemonSpec);
    let qmp: QmpClient;
    try {
      qmp = await QmpClient.connect(this.qmpSocketPath(uuid), { timeoutMs: this.qmpTimeoutMs, retry: true });
    } catch (error) {
      const log = await readFile(this.qemuLogPath(uuid), 'utf8').catch(() => '');
      await this.daemons.stop(daemonId(uuid), 2000).catch(() => undefined);
      await rm(this.qmpSocketPath(uuid), { force: true });
      throw new QemuProcessError(`guest ${uuid}: QMP did not come up: ${(error as Error).message}${log ? `\n${log.trim().split('\n').slice(-5).join('\n')}` : ''}`);
    }
    const handle: VmHandle = { uuid, pid, started: true, qmp };
    this.track(handle);
    return handle;
  }

  /** Reconnects to a guest that is running (after an agent restart); undefined if it is not. */
  async adopt(uuid: string): Promise<VmHandle | undefined> {
    checkUuid(uuid);
    const known = this.handles.get(uuid);
    if (known && !known.qmp.isClosed && (await this.isRunning(uuid))) return known;
    if (!(await this.isRunning(uuid))) return undefined;
    const pid = await this.pidOf(uuid);
    if (pid === undefined) return undefined;
    const qmp = await QmpClient.connect(this.qmpSocketPath(uuid), { timeoutMs: this.qmpTimeoutMs });
    const handle: VmHandle = { uuid, pid, started: false, qmp };
    this.track(handle);
    return handle;
  }

  /** UUIDs of the guests of this state dir whose QEMU is running (verified pidfiles). */
  async list(): Promise<string[]> {
    return (await this.daemons.running()).filter((id) => id.startsWith(DAEMON_PREFIX)).map((id) => id.slice(DAEMON_PREFIX.length)).filter((u) => UUID.test(u));
  }

  async isRunning(uuid: string): Promise<boolean> {
    return (await this.list()).includes(checkUuid(uuid));
  }

  /** QMP query-status of a running guest (adopting it if needed); undefined if not running. */
  async queryStatus(uuid: string): Promise<QmpStatus | undefined> {
    const handle = await this.adopt(uuid);
    if (!handle) return undefined;
    return handle.qmp.execute<QmpStatus>('query-status');
  }

  /**
   * Graceful stop: ACPI power button (system_powerdown) and up to timeoutMs for the guest to power
   * off; then QMP quit; then SIGTERM/SIGKILL by pid. Removes the pidfile and the QMP socket.
   */
  async stop(uuid: string, timeoutMs = 60_000): Promise<StopOutcome> {
    checkUuid(uuid);
    let outcome: StopOutcome = 'not-running';
    const handle = await this.adopt(uuid).catch(() => undefined);
    if (handle) {
      outcome = 'killed';
      try {
        await handle.qmp.execute('system_powerdown', undefined, { timeoutMs: 5000 });
        if (await this.waitGone(uuid, timeoutMs)) outcome = 'powered-off';
      } catch { /* QMP unusable: fall through to quit/kill */ }
      if (outcome === 'killed') outcome = await this.quitOrKill(uuid, handle);
    } else if (await this.isRunning(uuid)) {
      outcome = 'killed'; // running, but QMP does not answer
    }
    await this.cleanup(uuid);
    return outcome;
  }

  /** Hard stop (Nova's destroy): QMP quit, else kill. */
  async destroy(uuid: string): Promise<StopOutcome> {
    checkUuid(uuid);
    const handle = await this.adopt(uuid).catch(() => undefined);
    const outcome: StopOutcome = handle ? await this.quitOrKill(uuid, handle) : (await this.isRunning(uuid)) ? 'killed' : 'not-running';
    await this.cleanup(uuid);
    return outcome;
  }

  /** Closes every QMP connection; the guests keep running (agent shutdown). */
  close(): void {
    for (const handle of this.handles.values()) handle.qmp.close();
    this.handles.clear();
  }

  private track(handle: VmHandle): void {
    this.handles.get(handle.uuid)?.qmp.close();
    this.handles.set(handle.uuid, handle);
    handle.qmp.once('close', () => {
      if (this.handles.get(handle.uuid) === handle) this.handles.delete(handle.uuid);
    });
  }

  private async quitOrKill(uuid: string, handle: VmHandle): Promise<StopOutcome> {
    try {
      await handle.qmp.execute('quit', undefined, { timeoutMs: 5000 });
    } catch { /* the connection may close before the answer */ }
    if (await this.waitGone(uuid, 5000)) return 'quit';
    return 'killed';
  }

  private async waitGone(uuid: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!(await this.isRunning(uuid))) return true;
      if (Date.now() >= deadline) return false;
      await sleep(100);
    }
  }

  /** Stops whatever is left by pid (Daemons: TERM, then KILL), removes the pidfile and socket. */
  private async cleanup(uuid: string): Promise<void> {
    const handle = this.handles.get(uuid);
    handle?.qmp.close();
    this.handles.delete(uuid);
    await this.daemons.stop(daemonId(uuid), 5000);
    await rm(this.qmpSocketPath(uuid), { force: true });
  }

  private async pidOf(uuid: string): Promise<number | undefined> {
    try {
      const pid = Number((await readFile(this.pidfilePath(uuid), 'utf8')).split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }
}

function checkUuid(uuid: string): string {
  if (typeof uuid !== 'string' || !UUID.test(uuid)) throw new QemuProcessError(`invalid guest uuid ${JSON.stringify(uuid)} (lower-case UUID expected)`);
  return uuid;
}

function daemonId(uuid: string): string {
  return `${DAEMON_PREFIX}${checkUuid(uuid)}`;
}

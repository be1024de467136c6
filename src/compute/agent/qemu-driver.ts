// The virt driver of the agent: a server's guest as one QEMU process (QemuProcessManager in the
// host's namespace, so its taps appear where the L2 agent plugs them). Nova's libvirt driver
// semantics without libvirt:
//   spawn      start QEMU on the instance's disk (and config drive), virtio NIC per port
//   powerOff   ACPI power button, up to shutdownTimeoutMs, then quit/kill (Nova's clean shutdown)
//   powerOn    spawn again on the same disk
//   reboot     HARD: QMP system_reset of a running guest (or a start of a stopped one);
//              SOFT: clean shutdown then start, as Nova's _soft_reboot — a guest that ignores
//              the power button is stopped hard after the timeout and started again
//   destroy    quit at once (Nova's destroy), no grace
//   pause      QMP stop / cont: the vCPUs halt, memory stays in QEMU
//   injectNmi  QMP inject-nmi (trigger_crash_dump)
//   suspend    stop, the whole state (memory, devices) written to the instance's suspend.state
//              by QEMU's migration to a file, then quit — the host keeps no process for it
//   resume     QEMU started with -incoming defer, the state loaded from the file, cont
//   snapshot   the disk flattened into a standalone qcow2 (a running guest paused meanwhile)
//   powerState QMP query-status → nova power_state
//   (rescued)  a record with `rescue` boots disk.rescue first and the own disk second
//   plugNic    QMP netdev_add + device_add (interface attach), unplugNic device_del, DEVICE_DELETED, netdev_del
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Accelerator } from '../virt/kvm.js';
import { flattenDisk } from '../virt/disks.js';
import { QemuProcessManager, type StartSpec, type StopOutcome, type VmHandle } from '../virt/qemu-process.js';
import { nicOptions, type NicSpec } from '../virt/command-line.js';
import { QmpError } from '../virt/qmp.js';
import { POWER_STATE } from '../conductor/instance-protocol.js';
import type { InstanceFiles, InstanceRecord } from './instance-files.js';
import { DEFAULT_HARDWARE, OVMF_CANDIDATES, type GuestHardware } from './guest-hardware.js';
import type { InstancePort } from './vifs.js';

/** How often spawn() tries when the disk is still locked by a dying QEMU. */
const DISK_LOCK_ATTEMPTS = 4;
/** Writing or reading a suspended guest's state (its RAM, at disk speed). */
const STATE_TRANSFER_MS = 120_000;

/** How long a guest has to let go of an unplugged NIC (ACPI eject) before the detach fails. */
const UNPLUG_TIMEOUT_MS = 30_000;

/** A port's NIC; its device id comes from the port, so a hot-plugged NIC can be unplugged after restarts. */
export function nicSpecOf(port: InstancePort, hw: GuestHardware): NicSpec {
  return { tap: port.tap, mac: port.mac, model: hw.nicModel, id: `nic-${port.id.slice(0, 11)}`, ...(port.mtu !== null ? { mtu: port.mtu } : {}) };
}

/** A path as one word for the shell that QEMU's exec: migration runs. */
function shellWord(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

/** Waits for QEMU's migration (out to a file or in from one) to end; throws unless it completed. */
async function migrationDone(handle: VmHandle, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await handle.qmp.execute<{ status?: string; 'error-desc'?: string }>('query-migrate');
    if (info.status === 'completed') return;
    if (info.status === 'failed' || info.status === 'cancelled') throw new Error(`guest state transfer ${info.status}${info['error-desc'] ? `: ${info['error-desc']}` : ''}`);
    if (Date.now() >= deadline) throw new Error(`guest state transfer did not finish in ${timeoutMs} ms (status ${info.status ?? 'none'})`);
    await sleep(100);
  }
}

export interface QemuDriverOptions {
  readonly stateDir: string;
  readonly netns?: string;
  readonly files: InstanceFiles;
  /** Resolved once (the probe boots a guest). */
  readonly accelerator: () => Promise<Accelerator>;
  /** Nova's [DEFAULT] shutdown_timeout: 60 s. */
  readonly shutdownTimeoutMs?: number;
}

export class QemuDriver {
  readonly processes: QemuProcessManager;
  readonly shutdownTimeoutMs: number;

  constructor(private readonly options: QemuDriverOptions) {
    this.processes = new QemuProcessManager({ stateDir: options.stateDir, ...(options.netns !== undefined ? { netns: options.netns } : {}) });
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 60_000;
  }

  /** kvm or tcg (QEMU's software emulation): what the hypervisor reports as its type. */
  accelerator(): Promise<Accelerator> { return this.options.accelerator(); }

  /** The host's network namespace (simulated hosts), where QEMU and the host's own tools run. */
  get netns(): string | undefined { return this.options.netns; }

  /** The QEMU spec of a server, with the hardware its image asked for. */
  async specFor(record: InstanceRecord): Promise<StartSpec> {
    const { build, ports } = record;
    const files = this.options.files;
    const hw = record.hardware ?? DEFAULT_HARDWARE;
    const own = { path: files.diskPath(build.uuid), format: 'qcow2' as const, bus: hw.diskBus };
    // Rescued: the rescue disk boots, the own disk is the second one (Nova's libvirt rescue).
    const disks = record.rescue ? [{ ...own, path: files.rescueDiskPath(build.uuid) }, own] : [own];
    const configDrive = record.rescue ? files.rescueConfigDrivePath(build.uuid) : files.configDrivePath(build.uuid);
    return {
      name: `instance-${build.uuid}`,
      uuid: build.uuid,
      vcpus: build.flavor.vcpus,
      memoryMb: build.flavor.memory_mb,
      machine: hw.machine,
      osType: hw.osType,
      accelerator: await this.options.accelerator(),
      disks,
      nics: ports.map((p) => nicSpecOf(p, hw)),
      serialLogPath: files.consolePath(build.uuid),
      serialSocketPath: files.serialSocketPath(build.uuid),
      vnc: { unixSocket: files.vncSocketPath(build.uuid) },
      ...(hw.video !== undefined ? { video: hw.video } : {}),
      ...(hw.guestAgent ? { guestAgentSocketPath: files.guestAgentSocketPath(build.uuid) } : {}),
      ...(hw.firmware === 'uefi' ? { firmware: await this.#uefi(build.uuid) } : {}),
      ...((await files.hasConfigDrive(build.uuid, configDrive)) ? { configDrivePath: configDrive } : {}),
    };
  }

  /** OVMF's code and the guest's own NVRAM, copied from OVMF's template on its first boot. */
  async #uefi(uuid: string): Promise<{ type: 'uefi'; code: string; nvram: string }> {
    const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);
    let ovmf: { code: string; vars: string } | undefined;
    for (const candidate of OVMF_CANDIDATES) {
      if ((await isFile(candidate.code)) && (await isFile(candidate.vars))) { ovmf = candidate; break; }
    }
    if (!ovmf) throw new Error('the image asks for UEFI (hw_firmware_type=uefi) but OVMF (Debian package ovmf) is not installed on this host');
    const nvram = this.options.files.nvramPath(uuid);
    if (!(await isFile(nvram))) {
      await mkdir(dirname(nvram), { recursive: true, mode: 0o700 });
      await copyFile(ovmf.vars, nvram);
    }
    return { type: 'uefi', code: ovmf.code, nvram };
  }

  /** The directories of a guest's VNC, serial and guest-agent sockets. */
  async #socketDirs(uuid: string): Promise<void> {
    const files = this.options.files;
    for (const socket of [files.vncSocketPath(uuid), files.serialSocketPath(uuid), files.guestAgentSocketPath(uuid)]) {
      await mkdir(dirname(socket), { recursive: true, mode: 0o700 });
    }
  }

  /** Starts the guest (a running one is adopted, never restarted); its pid. */
  async spawn(record: InstanceRecord): Promise<number> {
    await this.#socketDirs(record.build.uuid);
    const spec = await this.specFor(record);
    // A QEMU that died a moment ago (killed, crashed) may still hold its disk's lock while the
    // kernel tears it down: the new one refuses to open the disk then. Try again briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.processes.start(spec)).pid;
      } catch (err) {
        if (attempt >= DISK_LOCK_ATTEMPTS || !/Failed to get "write" lock/.test(String((err as Error).message))) throw err;
        await sleep(500 * attempt);
      }
    }
  }

  /** A QEMU for the guest that waits for its state (-incoming defer): resume and live migration. */
  async startIncoming(record: InstanceRecord): Promise<VmHandle> {
    await this.#socketDirs(record.build.uuid);
    return this.processes.start({ ...(await this.specFor(record)), incomingDeferred: true });
  }

  powerOn(record: InstanceRecord): Promise<number> {
    return this.spawn(record);
  }

  powerOff(uuid: string, timeoutMs = this.shutdownTimeoutMs): Promise<StopOutcome> {
    return this.processes.stop(uuid, timeoutMs);
  }

  destroy(uuid: string): Promise<StopOutcome> {
    return this.processes.destroy(uuid);
  }

  async reboot(record: InstanceRecord, type: 'SOFT' | 'HARD', softTimeoutMs = this.shutdownTimeoutMs): Promise<'soft' | 'hard'> {
    const uuid = record.build.uuid;
    if (type === 'HARD') {
      const handle = await this.processes.adopt(uuid).catch(() => undefined);
      if (handle) {
        try {
          await handle.qmp.execute('system_reset', undefined, { timeoutMs: 5000 });
          // A guest paused (or stopped by an error) is running again after a hard reboot.
          const status = await handle.qmp.execute<{ status: string }>('query-status');
          if (status.status !== 'running') await handle.qmp.execute('cont', undefined, { timeoutMs: 5000 });
          return 'hard';
        } catch {
          await this.processes.destroy(uuid);
        }
      }
      // Not running (stopped, or suspended: a hard reboot boots afresh and drops the saved state).
      await this.discardSuspendState(uuid);
      await this.spawn(record);
      return 'hard';
    }
    const outcome = await this.processes.stop(uuid, softTimeoutMs);
    await this.spawn(record);
    return outcome === 'powered-off' || outcome === 'not-running' ? 'soft' : 'hard';
  }

  async #running(uuid: string): Promise<VmHandle> {
    const handle = await this.processes.adopt(uuid);
    if (!handle) throw new Error(`guest ${uuid} is not running`);
    return handle;
  }

  async injectNmi(uuid: string): Promise<void> {
    await (await this.#running(uuid)).qmp.execute('inject-nmi', undefined, { timeoutMs: 5000 });
  }

  async pause(uuid: string): Promise<void> {
    await (await this.#running(uuid)).qmp.execute('stop', undefined, { timeoutMs: 5000 });
  }

  async unpause(uuid: string): Promise<void> {
    await (await this.#running(uuid)).qmp.execute('cont', undefined, { timeoutMs: 5000 });
  }

  /** Hot-plugs a NIC into the running guest: QMP netdev_add + device_add with the boot's options. */
  async plugNic(uuid: string, nic: NicSpec): Promise<void> {
    const handle = await this.#running(uuid);
    const { netdev, device } = nicOptions(nic, 0, await this.options.accelerator());
    await handle.qmp.execute('netdev_add', { ...netdev }, { timeoutMs: 5000 });
    try {
      await handle.qmp.execute('device_add', { ...device }, { timeoutMs: 5000 });
    } catch (error) {
      await handle.qmp.execute('netdev_del', { id: netdev.id }, { timeoutMs: 5000 }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Unplugs a NIC: device_del asks the guest to eject it (ACPI), DEVICE_DELETED says it did —
   * without it in `timeoutMs` the detach fails, as Nova's DeviceDetachFailed — then netdev_del
   * ends the tap. A NIC already gone is fine (idempotent).
   */
  async unplugNic(uuid: string, nic: NicSpec, timeoutMs = UNPLUG_TIMEOUT_MS): Promise<void> {
    const handle = await this.#running(uuid);
    const { netdev, device } = nicOptions(nic, 0, await this.options.accelerator());
    const notFound = (err: unknown) => err instanceof QmpError && err.errorClass === 'DeviceNotFound';
    const deleted = handle.qmp.waitForEvent('DEVICE_DELETED', timeoutMs, (e) => e.data?.device === device.id);
    deleted.catch(() => undefined);
    let present = true;
    await handle.qmp.execute('device_del', { id: device.id }, { timeoutMs: 5000 }).catch((err: unknown) => {
      if (!notFound(err)) throw err;
      present = false;
    });
    if (present) {
      await deleted.catch(() => {
        throw new Error(`the guest did not release NIC ${String(device.id)} within ${timeoutMs} ms (device_del needs the guest's ACPI hot-plug)`);
      });
    }
    await handle.qmp.execute('netdev_del', { id: netdev.id }, { timeoutMs: 5000 }).catch((err: unknown) => {
      if (!(err instanceof QmpError)) throw err;
    });
  }

  /** Saves the guest's whole state to its suspend.state and ends its QEMU. */
  async suspend(uuid: string): Promise<void> {
    const handle = await this.#running(uuid);
    const state = this.options.files.suspendStatePath(uuid);
    const partial = `${state}.part`;
    await handle.qmp.execute('stop', undefined, { timeoutMs: 5000 });
    try {
      await handle.qmp.execute('migrate', { uri: `exec:cat > ${shellWord(partial)}` }, { timeoutMs: 5000 });
      await migrationDone(handle, STATE_TRANSFER_MS);
      await rename(partial, state);
    } catch (error) {
      // The guest is left as it was: running, without a half-written state.
      await rm(partial, { force: true });
      await handle.qmp.execute('cont', undefined, { timeoutMs: 5000 }).catch(() => undefined);
      throw error;
    }
    await this.processes.destroy(uuid);
  }

  /** Starts the guest from its suspend.state (removed once loaded); its pid. */
  async resume(record: InstanceRecord): Promise<number> {
    const uuid = record.build.uuid;
    const state = this.options.files.suspendStatePath(uuid);
    if (!(await stat(state).then((s) => s.isFile(), () => false))) throw new Error(`guest ${uuid} has no saved state to resume from`);
    const handle = await this.startIncoming(record);
    try {
      await handle.qmp.execute('migrate-incoming', { uri: `exec:cat ${shellWord(state)}` }, { timeoutMs: 5000 });
      await migrationDone(handle, STATE_TRANSFER_MS);
      await handle.qmp.execute('cont', undefined, { timeoutMs: 5000 });
    } catch (error) {
      // Keep the state file: a later resume may still succeed; this QEMU holds nothing of value.
      await this.processes.destroy(uuid);
      throw error;
    }
    await rm(state, { force: true });
    return handle.pid;
  }

  /** The guest's disk as a standalone qcow2 at `dest`; a running guest is paused while it is read. */
  async snapshot(uuid: string, dest: string): Promise<void> {
    const handle = await this.processes.adopt(uuid).catch(() => undefined);
    const running = handle !== undefined && (await handle.qmp.execute<{ status: string }>('query-status')).status === 'running';
    // QMP stop drains and flushes the guest's disks: the file is consistent while it is paused.
    if (running) await handle.qmp.execute('stop', undefined, { timeoutMs: 5000 });
    try {
      await flattenDisk(this.options.files.diskPath(uuid), dest);
    } finally {
      if (running) await handle.qmp.execute('cont', undefined, { timeoutMs: 5000 }).catch(() => undefined);
    }
  }

  /** A saved state that a fresh boot makes stale (hard reboot or start of a suspended guest). */
  async discardSuspendState(uuid: string): Promise<void> {
    await rm(this.options.files.suspendStatePath(uuid), { force: true });
  }

  async isRunning(uuid: string): Promise<boolean> {
    return this.processes.isRunning(uuid);
  }

  /** Running guests of this host (verified pidfiles). */
  list(): Promise<string[]> {
    return this.processes.list();
  }

  /** Reconnects to a running guest after a restart; its pid, or undefined. */
  async adopt(uuid: string): Promise<number | undefined> {
    return (await this.processes.adopt(uuid))?.pid;
  }

  async pid(uuid: string): Promise<number | undefined> {
    return this.adopt(uuid).catch(() => undefined);
  }

  /** nova.compute.power_state of the guest. */
  async powerState(uuid: string): Promise<number> {
    let status: string | undefined;
    try {
      status = (await this.processes.queryStatus(uuid))?.status;
    } catch {
      return (await this.isRunning(uuid)) ? POWER_STATE.NOSTATE : POWER_STATE.SHUTDOWN;
    }
    switch (status) {
      case undefined: return POWER_STATE.SHUTDOWN;
      case 'running': return POWER_STATE.RUNNING;
      case 'shutdown': return POWER_STATE.SHUTDOWN;
      case 'internal-error': case 'guest-panicked': case 'io-error': return POWER_STATE.CRASHED;
      case 'suspended': return POWER_STATE.SUSPENDED;
      default: return POWER_STATE.PAUSED; // paused, prelaunch, inmigrate, debug, …
    }
  }

  /** Drops QMP connections; the guests keep running. */
  close(): void {
    this.processes.close();
  }
}

// The compute agent's instance manager (nova/compute/manager.py's ComputeManager, for what it
// does on a host): build, stop, start, reboot, rebuild, snapshot, pause, suspend, terminate, console output,
// console connection info and Neutron's events; rescue, interface attach/detach, changePassword, resize,
// cold and live migration, evacuation live in agent/*-ops.ts; diagnostics and the host uptime in agent/diagnostics.ts and host-uptime.ts.
// It never opens the database: every state change goes to the conductor (instance_update with
// expected_task_state, so a server that moved, was deleted or changed its mind is never
// overwritten), with instance action events named as Nova's. Operations on one server run one at
// a time (Nova's per-instance lock); a terminate first cancels a build waiting for its ports.
import { rm } from 'node:fs/promises';
import type { Bus } from '../../bus/index.js';
import type { Logger } from '../../core/logger.js';
import type { Image, NetworkClient } from '../../core/clients/index.js';
import { CONDUCTOR_TOPIC } from '../conductor/protocol.js';
import { POWER_STATE, type InstanceUpdateResult, type InstanceUpdates } from '../conductor/instance-protocol.js';
import type { ConsoleConnectInfo, ConsoleConnectRequest, InstanceBuild, InstanceEvent, ServerDiagnostics } from '../rpc/compute-protocol.js';
import type { ExpectedHash } from '../virt/disks.js';
import { EventWaiter, WaitCancelledError } from './event-waiter.js';
import type { InstanceFiles, InstanceRecord } from './instance-files.js';
import type { QemuDriver } from './qemu-driver.js';
import type {
  AttachInterfaceRequest, ComputeRpcTarget, ConsoleRequest, DetachInterfaceRequest, InstanceRequest, RebootRequest, RebuildRequest,
  RescueRequest, SetAdminPasswordRequest, SnapshotRequest,
} from './rpc-handlers.js';
import { BuildAbortError, Vifs, type InstancePort } from './vifs.js';
import { hardwareOf, type GuestHardware } from './guest-hardware.js';
import { LiveMigrationOperations, type LiveMigrationRequest, type PostLiveMigrationRequest, type PreLiveMigrationRequest } from './live-migration-ops.js';
import type { IncomingEndpoint } from './qemu-live-migration.js';
import { ShelveOperations, type ShelveRequest, type UnshelveRequest } from './shelve-ops.js';
import { MoveOperations, type FinishResizeRequest, type FinishRevertRequest, type MoveRequest, type ResizeInstanceRequest } from './move-ops.js';
import { consoleConnectInfo } from './console-connect.js';
import { rescueInstance, unrescueInstance } from './rescue-ops.js';
import { attachInterface, detachInterface } from './interface-ops.js';
import { setAdminPassword } from './password-ops.js';
import { rebuildEvacuatedInstance, type RebuildEvacuatedRequest } from './evacuate-ops.js';
import { collectDiagnostics } from './diagnostics.js';
import { hostUptime } from './host-uptime.js';
import { rotateBackups } from './backup-rotation.js';

/** What the manager needs of the image service (an ImageClient; tests may pass a double). */
export interface ImageSource {
  getImage(id: string): Promise<Image>;
  downloadImage(id: string, destPath: string): Promise<unknown>;
  /** A snapshot's data into the image the API created for it. */
  uploadImageData(id: string, sourcePath: string): Promise<unknown>;
  deleteImage(id: string): Promise<unknown>;
  /** Images whose properties match (a backup's rotation finds the server's older backups). */
  listImages(filters: Readonly<Record<string, string>>): Promise<Image[]>;
}

export interface InstanceManagerOptions {
  readonly bus: Bus;
  readonly host: string;
  readonly files: InstanceFiles;
  readonly driver: QemuDriver;
  readonly image: ImageSource;
  readonly network: NetworkClient;
  readonly logger: Logger;
  readonly availabilityZone?: string;
  /** Nova's [DEFAULT] vif_plugging_timeout: 300 s. */
  readonly vifPlugTimeoutMs?: number;
  /** Per conductor call. */
  readonly callTimeoutMs?: number;
  /** Where other hosts reach this one for disks and guest state (Nova's my_ip): the underlay address. */
  readonly migrationAddress?: string;
}

/** Nova's instance action event names. */
export const ACTION_EVENTS = {
  build: 'compute__do_build_and_run_instance',
  stop: 'compute_stop_instance',
  start: 'compute_start_instance',
  reboot: 'compute_reboot_instance',
  terminate: 'compute_terminate_instance',
  rebuild: 'compute_rebuild_instance',
  snapshot: 'compute_snapshot_instance',
  backup: 'compute_backup_instance',
  crashDump: 'compute_trigger_crash_dump',
  pause: 'compute_pause_instance',
  unpause: 'compute_unpause_instance',
  suspend: 'compute_suspend_instance',
  resume: 'compute_resume_instance',
} as const;

/** The server is gone or no longer ours (instance_update refused): stop quietly. */
export class InstanceGoneError extends Error {
  constructor(uuid: string) {
    super(`instance ${uuid} is no longer on this host or was deleted`);
    this.name = 'InstanceGoneError';
  }
}

export class InstanceManager implements ComputeRpcTarget {
  readonly events = new EventWaiter();
  readonly vifs: Vifs;
  /** Resize and cold migration (move-ops.ts). */
  readonly moves = new MoveOperations(this);
  /** Live migration (live-migration-ops.ts). */
  readonly live = new LiveMigrationOperations(this);
  /** Shelve, offload, unshelve (shelve-ops.ts). */
  readonly shelving = new ShelveOperations(this);
  readonly host: string;
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #terminating = new Set<string>();
  readonly #vifPlugTimeoutMs: number;

  constructor(private readonly options: InstanceManagerOptions) {
    this.host = options.host;
    this.vifs = new Vifs(options.network, options.host, options.availabilityZone ?? 'nova');
    this.#vifPlugTimeoutMs = options.vifPlugTimeoutMs ?? 300_000;
  }

  get driver(): QemuDriver { return this.options.driver; }
  get files(): InstanceFiles { return this.options.files; }
  get image(): ImageSource { return this.options.image; }
  get network(): NetworkClient { return this.options.network; }
  get logger(): Logger { return this.options.logger; }
  get bus(): Bus { return this.options.bus; }
  get migrationAddress(): string | undefined { return this.options.migrationAddress; }
  /** How long a NIC may take to be reported plugged (builds and interface attach). */
  get vifPlugTimeoutMs(): number { return this.#vifPlugTimeoutMs; }

  /** Is an operation on this server running (power sync leaves it alone)? */
  isBusy(uuid: string): boolean {
    return this.#locks.has(uuid);
  }

  /** Resolves when every operation started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** A call to the conductor. */
  conductor<T>(method: string, args: Record<string, unknown>): Promise<T> {
    const timeout = this.options.callTimeoutMs !== undefined ? { timeoutMs: this.options.callTimeoutMs } : {};
    return this.options.bus.call({ topic: CONDUCTOR_TOPIC }, method, args, timeout) as Promise<T>;
  }

  instanceUpdate(uuid: string, updates: InstanceUpdates, expected?: (string | null)[]): Promise<InstanceUpdateResult> {
    return this.conductor<InstanceUpdateResult>('instance_update', {
      uuid, host: this.host, updates, ...(expected !== undefined ? { expected_task_state: expected } : {}),
    });
  }

  // ---- build -------------------------------------------------------------------------------

  buildAndRunInstance(build: InstanceBuild): Promise<void> {
    return this.locked(build.uuid, () => this.#build(build));
  }

  async #build(build: InstanceBuild): Promise<void> {
    const { uuid, request_id } = build;
    const log = this.options.logger.child({ instance: uuid, request_id });
    await this.eventStart(uuid, request_id, ACTION_EVENTS.build);
    const ports: InstancePort[] = [];
    let waiting: Promise<void> | undefined;
    try {
      // Still ours and still spawning? (deleted while queued, or moved by a reschedule)
      if (!(await this.instanceUpdate(uuid, { task_state: 'spawning' }, ['spawning'])).updated) throw new InstanceGoneError(uuid);
      const { base, hardware } = await this.baseImage(build);
      await this.files.createDisk(uuid, base, build.flavor.root_gb);
      await this.files.saveRecord({ build, ports, hardware });
      await this.vifs.allocate(build, async (port) => {
        ports.push(port);
        await this.files.saveRecord({ build, ports, hardware });
      });
      const networkInfo = await this.vifs.vifInfo(ports);
      await this.conductor('instance_info_cache_update', { uuid, network_info: networkInfo });
      if (build.config_drive) await this.files.writeConfigDrive(build, networkInfo);
      // Listen before QEMU creates the taps (Nova's wait_for_instance_event around plug + spawn).
      if (ports.length > 0) {
        waiting = this.events.wait(uuid, ports.map((p) => p.id), this.#vifPlugTimeoutMs, (id) => this.vifs.isActive(id));
        waiting.catch(() => undefined);
      }
      const pid = await this.driver.spawn({ build, ports, hardware });
      log.info({ pid, ports: ports.map((p) => p.id) }, 'guest started, waiting for network-vif-plugged');
      if (this.#terminating.has(uuid)) throw new WaitCancelledError(uuid, 'the instance is being deleted');
      await waiting;
      const done = await this.instanceUpdate(uuid, {
        vm_state: 'active', task_state: null, power_state: POWER_STATE.RUNNING, launched_at: new Date().toISOString(),
      }, ['spawning']);
      if (!done.updated) log.warn({ done }, 'instance changed while spawning; leaving it to the next request');
      await this.eventFinish(uuid, request_id, ACTION_EVENTS.build, 'Success');
      log.info('instance spawned');
    } catch (error) {
      this.events.cancel(uuid, 'build failed');
      log.warn({ err: error }, 'build failed; cleaning up');
      await this.#cleanup(uuid, ports, log);
      await this.eventFinish(uuid, request_id, ACTION_EVENTS.build, 'Error', error);
      if (error instanceof InstanceGoneError || this.#terminating.has(uuid)) return;
      const reschedule = !(error instanceof BuildAbortError);
      await this.conductor('build_failed', { uuid, host: this.host, request_id, reason: messageOf(error), reschedule })
        .catch((err: unknown) => log.error({ err }, 'build_failed could not reach the conductor'));
    }
  }

  /** The verified base image (BaseImageCache, fetched when missing) and the hardware it asks for. */
  async baseImage(build: InstanceBuild): Promise<{ base: string; hardware: GuestHardware }> {
    let image: Image;
    try {
      image = await this.options.image.getImage(build.image_id);
    } catch (error) {
      throw new BuildAbortError(`Image ${build.image_id} could not be found: ${messageOf(error)}`, { cause: error });
    }
    if (image.status !== 'active') throw new BuildAbortError(`Image ${image.id} is not active (status ${image.status}).`);
    if (image.disk_format !== 'qcow2' && image.disk_format !== 'raw') {
      throw new BuildAbortError(`Image ${image.id} has disk format ${image.disk_format}: only qcow2 and raw boot here.`);
    }
    const algo = image.os_hash_algo;
    const expected: ExpectedHash | undefined = (algo === 'sha256' || algo === 'sha512') && image.os_hash_value
      ? { algorithm: algo, value: image.os_hash_value }
      : image.checksum ? { algorithm: 'md5', value: image.checksum } : undefined;
    if (!expected) throw new BuildAbortError(`Image ${image.id} has no checksum to verify it by.`);
    const hardware = hardwareOf(image);
    const base = await this.files.baseImages.ensure(image.id, expected, async (dest) => { await this.options.image.downloadImage(image.id, dest); });
    return { base, hardware };
  }

  /**
   * The server's disk made afresh from its image (rebuild, evacuate): any guest here ended, its
   * saved state and boot entries dropped (a new disk brings its own); the hardware the image asks for.
   */
  async freshDisk(build: InstanceBuild): Promise<GuestHardware> {
    const { uuid } = build;
    await this.driver.destroy(uuid);
    await this.driver.discardSuspendState(uuid);
    const { base, hardware } = await this.baseImage(build);
    await this.files.createDisk(uuid, base, build.flavor.root_gb);
    await rm(this.files.nvramPath(uuid), { force: true });
    return hardware;
  }

  async #cleanup(uuid: string, ports: readonly InstancePort[], log: Logger): Promise<void> {
    await this.driver.destroy(uuid).catch((err: unknown) => log.error({ err }, 'cleanup: destroying the guest failed'));
    await this.vifs.release(uuid, ports).catch((err: unknown) => log.error({ err }, 'cleanup: releasing ports failed'));
    await this.files.remove(uuid).catch((err: unknown) => log.error({ err }, 'cleanup: removing files failed'));
  }

  // ---- power actions -----------------------------------------------------------------------

  stopInstance(request: InstanceRequest): Promise<void> {
    return this.locked(request.uuid, () => this.runAction(request, ACTION_EVENTS.stop, ['powering-off'], async () => {
      const outcome = await this.driver.powerOff(request.uuid);
      this.options.logger.info({ instance: request.uuid, outcome }, 'instance stopped');
      return { vm_state: 'stopped', task_state: null, power_state: POWER_STATE.SHUTDOWN };
    }));
  }

  startInstance(request: InstanceRequest): Promise<void> {
    return this.locked(request.uuid, () => this.runAction(request, ACTION_EVENTS.start, ['powering-on'], async () => {
      await this.driver.powerOn(await this.record(request.uuid));
      return { vm_state: 'active', task_state: null, power_state: POWER_STATE.RUNNING };
    }));
  }

  rebootInstance(request: RebootRequest): Promise<void> {
    const hard = request.reboot_type === 'HARD';
    return this.locked(request.uuid, async () => {
      const started = hard ? 'reboot_started_hard' : 'reboot_started';
      const mark = await this.instanceUpdate(request.uuid, { task_state: started }, hard ? ['rebooting_hard', 'reboot_pending_hard'] : ['rebooting', 'reboot_pending'])
        .catch((err: unknown) => { this.options.logger.warn({ err, instance: request.uuid }, 'reboot: conductor unreachable'); return undefined; });
      if (!mark?.updated) return;
      await this.runAction(request, ACTION_EVENTS.reboot, [started], async () => {
        const how = await this.driver.reboot(await this.record(request.uuid), request.reboot_type);
        this.options.logger.info({ instance: request.uuid, requested: request.reboot_type, how }, 'instance rebooted');
        return { vm_state: 'active', task_state: null, power_state: await this.driver.powerState(request.uuid) };
      });
    });
  }

  /**
   * rebuild: the same server on a new image — guest ended, disk made afresh from the new base
   * image, config drive rewritten, the same ports; started again unless it was stopped. A failure
   * leaves the server in ERROR with a fault, as Nova's rebuild does (its old disk is gone by then).
   */
  rebuildInstance(request: RebuildRequest): Promise<void> {
    const { uuid, request_id } = request;
    return this.locked(uuid, async () => {
      const log = this.options.logger.child({ instance: uuid, request_id });
      await this.eventStart(uuid, request_id, ACTION_EVENTS.rebuild);
      try {
        const record = await this.record(uuid);
        const build: InstanceBuild = { ...record.build, ...request.changes };
        const hardware = await this.freshDisk(build);
        await this.files.saveRecord({ build, ports: record.ports, hardware });
        if (build.config_drive) await this.files.writeConfigDrive(build, await this.vifs.vifInfo(record.ports));
        if (!request.stopped) await this.driver.spawn({ build, ports: record.ports, hardware });
        const done = await this.instanceUpdate(uuid, request.stopped
          ? { vm_state: 'stopped', task_state: null, power_state: POWER_STATE.SHUTDOWN }
          : { vm_state: 'active', task_state: null, power_state: POWER_STATE.RUNNING, launched_at: new Date().toISOString() }, ['rebuilding']);
        if (!done.updated) log.warn({ done }, 'state not recorded: the server changed meanwhile');
        await this.eventFinish(uuid, request_id, ACTION_EVENTS.rebuild, 'Success');
        log.info({ image: build.image_id }, 'instance rebuilt');
      } catch (error) {
        log.error({ err: error }, 'rebuild failed');
        await this.instanceUpdate(uuid, { vm_state: 'error', task_state: null }, ['rebuilding']).catch(() => undefined);
        await this.fault(uuid, error);
        await this.eventFinish(uuid, request_id, ACTION_EVENTS.rebuild, 'Error', error);
      }
    });
  }

  /**
   * createImage and createBackup: the disk, its base folded in, written to a standalone qcow2 (the guest paused
   * meanwhile if it runs) and uploaded into the image the API created; task_state
   * image_snapshot_pending → image_snapshot → image_pending_upload → image_uploading → none. On failure the image is
   * deleted, as Nova does, and the server goes back to no task.
   */
  snapshotInstance(request: SnapshotRequest): Promise<void> {
    const { uuid, request_id, image_id, backup } = request;
    // A backup starts from image_backup and goes straight to the upload states (Nova's _snapshot_instance).
    const event = backup ? ACTION_EVENTS.backup : ACTION_EVENTS.snapshot;
    const first = backup ? 'image_backup' : 'image_snapshot_pending';
    return this.locked(uuid, async () => {
      const log = this.options.logger.child({ instance: uuid, request_id, image: image_id });
      const path = this.files.snapshotPath(uuid, image_id);
      await this.eventStart(uuid, request_id, event);
      try {
        if (backup) {
          if (!(await this.instanceUpdate(uuid, { task_state: 'image_pending_upload' }, [first])).updated) throw new InstanceGoneError(uuid);
        } else {
          if (!(await this.instanceUpdate(uuid, { task_state: 'image_snapshot' }, [first])).updated) throw new InstanceGoneError(uuid);
          await this.instanceUpdate(uuid, { task_state: 'image_pending_upload' }, ['image_snapshot']);
        }
        await this.driver.snapshot(uuid, path);
        await this.instanceUpdate(uuid, { task_state: 'image_uploading' }, ['image_pending_upload']);
        await this.options.image.uploadImageData(image_id, path);
        await this.instanceUpdate(uuid, { task_state: null }, ['image_uploading']);
        if (backup) await rotateBackups(this.options.image, uuid, backup, log);
        await this.eventFinish(uuid, request_id, event, 'Success');
        log.info(backup ? 'backup uploaded' : 'snapshot uploaded');
      } catch (error) {
        log.error({ err: error }, 'snapshot failed');
        await this.instanceUpdate(uuid, { task_state: null }, [first, 'image_snapshot', 'image_pending_upload', 'image_uploading']).catch(() => undefined);
        await this.options.image.deleteImage(image_id).catch((err: unknown) => log.warn({ err }, 'could not delete the failed snapshot image'));
        if (!(error instanceof InstanceGoneError)) await this.fault(uuid, error);
        await this.eventFinish(uuid, request_id, event, 'Error', error);
      } finally {
        await rm(path, { force: true }).catch(() => undefined);
      }
    });
  }

  /** trigger_crash_dump: an NMI into the guest (its kernel may panic and dump); no state changes. */
  triggerCrashDump(request: InstanceRequest): Promise<void> {
    const { uuid, request_id } = request;
    return this.locked(uuid, async () => {
      await this.eventStart(uuid, request_id, ACTION_EVENTS.crashDump);
      try {
        await this.driver.injectNmi(uuid);
        await this.eventFinish(uuid, request_id, ACTION_EVENTS.crashDump, 'Success');
      } catch (error) {
        this.options.logger.error({ err: error, instance: uuid }, 'trigger_crash_dump failed');
        await this.fault(uuid, error);
        await this.eventFinish(uuid, request_id, ACTION_EVENTS.crashDump, 'Error', error);
      }
    });
  }

  pauseInstance(request: InstanceRequest): Promise<void> {
    return this.locked(request.uuid, () => this.runAction(request, ACTION_EVENTS.pause, ['pausing'], async () => {
      await this.driver.pause(request.uuid);
      return { vm_state: 'paused', task_state: null, power_state: POWER_STATE.PAUSED };
    }));
  }

  unpauseInstance(request: InstanceRequest): Promise<void> {
    return this.locked(request.uuid, () => this.runAction(request, ACTION_EVENTS.unpause, ['unpausing'], async () => {
      await this.driver.unpause(request.uuid);
      return { vm_state: 'active', task_state: null, power_state: POWER_STATE.RUNNING };
    }));
  }

  suspendInstance(request: InstanceRequest): Promise<void> {
    return this.locked(request.uuid, () => this.runAction(request, ACTION_EVENTS.suspend, ['suspending'], async () => {
      await this.driver.suspend(request.uuid);
      this.options.logger.info({ instance: request.uuid }, 'instance suspended (state saved to disk)');
      return { vm_state: 'suspended', task_state: null, power_state: POWER_STATE.SHUTDOWN };
    }));
  }

  resumeInstance(request: InstanceRequest): Promise<void> {
    return this.locked(request.uuid, () => this.runAction(request, ACTION_EVENTS.resume, ['resuming'], async () => {
      await this.driver.resume(await this.record(request.uuid));
      return { vm_state: 'active', task_state: null, power_state: POWER_STATE.RUNNING };
    }));
  }

  // Operations kept in their own files (agent/*-ops.ts).
  rescueInstance(request: RescueRequest): Promise<void> { return rescueInstance(this, request); }
  unrescueInstance(request: InstanceRequest): Promise<void> { return unrescueInstance(this, request); }
  attachInterface(request: AttachInterfaceRequest): Promise<string> { return attachInterface(this, request); }
  detachInterface(request: DetachInterfaceRequest): Promise<void> { return detachInterface(this, request); }
  setAdminPassword(request: SetAdminPasswordRequest): Promise<void> { return setAdminPassword(this, request); }

  /**
   * One power action as Nova's decorators run it: action event start, the work, the state
   * update (only while task_state is still the expected one), event finish. On failure the
   * task_state is reverted (reverts_task_state), a fault recorded and the event finished Error.
   */
  async runAction(request: InstanceRequest, event: string, expected: string[], work: () => Promise<InstanceUpdates>): Promise<void> {
    const { uuid, request_id } = request;
    const log = this.options.logger.child({ instance: uuid, request_id, event });
    await this.eventStart(uuid, request_id, event);
    try {
      const updates = await work();
      const result = await this.instanceUpdate(uuid, updates, expected);
      if (!result.updated) log.warn({ result }, 'state not recorded: the server changed meanwhile');
      await this.eventFinish(uuid, request_id, event, 'Success');
    } catch (error) {
      log.error({ err: error }, 'action failed');
      await this.instanceUpdate(uuid, { task_state: null }, expected).catch(() => undefined);
      await this.fault(uuid, error);
      await this.eventFinish(uuid, request_id, event, 'Error', error);
    }
  }

  // ---- resize and cold migration (move-ops.ts) ---------------------------------------------

  resizeInstance(request: ResizeInstanceRequest): Promise<void> { return this.moves.resizeInstance(request); }
  finishResize(request: FinishResizeRequest): Promise<void> { return this.moves.finishResize(request); }
  confirmResize(request: MoveRequest): Promise<void> { return this.moves.confirmResize(request); }
  revertResize(request: MoveRequest): Promise<void> { return this.moves.revertResize(request); }
  finishRevertResize(request: FinishRevertRequest): Promise<void> { return this.moves.finishRevertResize(request); }
  liveMigration(request: LiveMigrationRequest): Promise<void> { return this.live.liveMigration(request); }
  preLiveMigration(request: PreLiveMigrationRequest): Promise<IncomingEndpoint> { return this.live.preLiveMigration(request); }
  postLiveMigration(request: PostLiveMigrationRequest): Promise<void> { return this.live.postLiveMigration(request); }
  rollbackLiveMigration(request: MoveRequest): Promise<void> { return this.live.rollbackAtDestination(request); }
  shelveInstance(request: ShelveRequest): Promise<void> { return this.shelving.shelveInstance(request); }
  shelveOffloadInstance(request: InstanceRequest): Promise<void> { return this.shelving.shelveOffloadInstance(request); }
  unshelveInstance(request: UnshelveRequest): Promise<void> { return this.shelving.unshelveInstance(request); }
  rebuildEvacuatedInstance(request: RebuildEvacuatedRequest): Promise<void> { return rebuildEvacuatedInstance(this, request); }

  // ---- terminate ---------------------------------------------------------------------------

  terminateInstance(request: InstanceRequest): Promise<void> {
    const { uuid, request_id } = request;
    // A build waiting for its ports gives up now instead of holding the lock for minutes.
    this.#terminating.add(uuid);
    this.events.cancel(uuid, 'the instance is being deleted');
    return this.locked(uuid, async () => {
      const log = this.options.logger.child({ instance: uuid, request_id });
      await this.eventStart(uuid, request_id, ACTION_EVENTS.terminate);
      try {
        const outcome = await this.driver.destroy(uuid);
        const record = await this.files.loadRecord(uuid);
        await this.vifs.release(uuid, record?.ports ?? []);
        await this.files.remove(uuid);
        this.events.forget(uuid);
        await this.eventFinish(uuid, request_id, ACTION_EVENTS.terminate, 'Success');
        await this.conductor('instance_destroyed', { uuid, host: this.host, request_id });
        log.info({ outcome }, 'instance terminated');
      } catch (error) {
        log.error({ err: error }, 'terminate failed');
        await this.instanceUpdate(uuid, { vm_state: 'error', task_state: null }).catch(() => undefined);
        await this.fault(uuid, error);
        await this.eventFinish(uuid, request_id, ACTION_EVENTS.terminate, 'Error', error);
      } finally {
        this.#terminating.delete(uuid);
      }
    });
  }

  // ---- console, events ---------------------------------------------------------------------

  async getConsoleOutput(request: ConsoleRequest): Promise<string> {
    if (!(await this.files.loadRecord(request.uuid))) throw new Error(`Instance ${request.uuid} could not be found.`);
    return this.files.consoleOutput(request.uuid, request.length);
  }

  /** Where the console proxy finds the guest's VNC server or serial port. */
  getConsoleConnectInfo(request: ConsoleConnectRequest): Promise<ConsoleConnectInfo> {
    return consoleConnectInfo(this.host, this.files, (uuid) => this.driver.isRunning(uuid), request);
  }

  getDiagnostics(request: { readonly uuid: string }): Promise<ServerDiagnostics> {
    return collectDiagnostics(this.driver, this.files, request.uuid);
  }

  getHostUptime(): Promise<string> {
    return hostUptime();
  }

  externalInstanceEvents(events: readonly InstanceEvent[]): void {
    for (const event of events) {
      this.options.logger.info({ instance: event.server_uuid, event: event.name, tag: event.tag, status: event.status }, 'external instance event');
      this.events.deliver(event);
    }
  }

  // ---- re-adoption -------------------------------------------------------------------------

  /** Reconnects to the guests still running from before a restart; uuid → pid. */
  async adoptRunning(): Promise<Map<string, number>> {
    const adopted = new Map<string, number>();
    for (const uuid of await this.driver.list()) {
      const pid = await this.driver.adopt(uuid).catch((err: unknown) => {
        this.options.logger.warn({ err, instance: uuid }, 'could not re-adopt a running guest');
        return undefined;
      });
      if (pid !== undefined) adopted.set(uuid, pid);
    }
    return adopted;
  }

  /** Drops QMP connections and pending waits; guests keep running. */
  async close(): Promise<void> {
    this.events.cancel(undefined, 'the agent stops');
    await this.idle();
    this.driver.close();
  }

  // ---- helpers (public for the operations kept in their own files: agent/*-ops.ts) -----------

  async record(uuid: string): Promise<InstanceRecord> {
    const record = await this.files.loadRecord(uuid);
    if (!record) throw new Error(`Instance ${uuid} has no files on host ${this.host}.`);
    return record;
  }

  /** Runs `work` after the operations already queued for this server (never rejects). */
  locked(uuid: string, work: () => Promise<void>): Promise<void> {
    const previous = this.#locks.get(uuid) ?? Promise.resolve();
    const run = previous.then(work).catch((err: unknown) => this.options.logger.error({ err, instance: uuid }, 'instance operation failed'));
    this.#locks.set(uuid, run);
    this.#inFlight.add(run);
    void run.finally(() => {
      this.#inFlight.delete(run);
      if (this.#locks.get(uuid) === run) this.#locks.delete(uuid);
    });
    return run;
  }

  async eventStart(uuid: string, requestId: string, event: string): Promise<void> {
    await this.conductor('action_event_start', { uuid, request_id: requestId, event, host: this.host })
      .catch((err: unknown) => this.options.logger.warn({ err, instance: uuid, event }, 'action_event_start failed'));
  }

  async eventFinish(uuid: string, requestId: string, event: string, result: 'Success' | 'Error', error?: unknown): Promise<void> {
    await this.conductor('action_event_finish', {
      uuid, request_id: requestId, event, host: this.host, result,
      ...(error !== undefined ? { traceback: tracebackOf(error) } : {}),
    }).catch((err: unknown) => this.options.logger.warn({ err, instance: uuid, event }, 'action_event_finish failed'));
  }

  async fault(uuid: string, error: unknown): Promise<void> {
    await this.conductor('instance_fault_create', {
      uuid, host: this.host, code: 500, message: messageOf(error).slice(0, 255), details: tracebackOf(error),
    }).catch(() => undefined);
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof WaitCancelledError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function tracebackOf(error: unknown): string {
  return (error instanceof Error ? error.stack ?? error.message : String(error)).slice(0, 65535);
}

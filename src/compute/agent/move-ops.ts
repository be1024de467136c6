// Resize and cold migration on the hosts (nova/compute/manager.py resize_instance, finish_resize,
// confirm_resize, revert_resize, finish_revert_resize), for the libvirt driver's non-shared
// storage case:
//   source  resize_instance       guest shut down, disk exported read-only over NBD on the host's
//                                 migration address; finish_resize cast to the destination
//   dest    finish_resize         the server switched to this host (conductor), the disk pulled
//                                 into a standalone qcow2 and grown to the new flavor, the ports
//                                 bound here, the guest started if it ran → vm_state resized
//   source  confirm_resize        the old copy (disk, files) dropped; the source's resources freed
//   dest    revert_resize         the new copy dropped, the server switched back (conductor),
//                                 finish_revert_resize cast to the source
//   source  finish_revert_resize  the ports bound back, the old guest started as it was
// The source keeps its disk until confirm or revert, so a revert loses nothing.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { POWER_STATE } from '../conductor/instance-protocol.js';
import { COMPUTE_RPC_TOPIC, type FlavorSnapshot } from '../rpc/compute-protocol.js';
import { exportDisk, pullDisk, type DiskExport } from '../virt/disk-transfer.js';
import { diskInfo, resizeDisk } from '../virt/disks.js';
import type { InstanceRecord } from './instance-files.js';
import { InstanceGoneError, messageOf, type InstanceManager } from './manager.js';
import type { InstanceRequest } from './rpc-handlers.js';

export interface MoveRequest extends InstanceRequest { readonly migration_uuid: string }
export interface ResizeInstanceRequest extends MoveRequest {
  readonly dest_host: string;
  readonly flavor: FlavorSnapshot;
  readonly power_on: boolean;
}
export interface FinishResizeRequest extends MoveRequest {
  readonly record: InstanceRecord;
  readonly disk_uri: string;
  readonly power_on: boolean;
}
export interface FinishRevertRequest extends MoveRequest { readonly power_on: boolean }

export const MOVE_EVENTS = {
  resize: 'compute_resize_instance',
  finishResize: 'compute_finish_resize',
  confirm: 'compute_confirm_resize',
  revert: 'compute_revert_resize',
  finishRevert: 'compute_finish_revert_resize',
} as const;

const GIB = 1024 ** 3;
/** An export nobody pulled within this is ended (the destination died or gave up). */
const EXPORT_LIFETIME_MS = 30 * 60_000;

/** Binds the server's ports to this host (the L2 agent here wires their taps). */
export async function bindPortsHere(m: InstanceManager, record: InstanceRecord): Promise<void> {
  for (const port of record.ports) {
    await m.network.bindPort(port.id, { hostId: m.host, deviceId: record.build.uuid, deviceOwner: m.vifs.deviceOwner(record.build) });
  }
}

/** The info cache (and the config drive) from the ports as they are now. */
export async function refreshNetwork(m: InstanceManager, record: InstanceRecord): Promise<void> {
  const networkInfo = await m.vifs.vifInfo(record.ports);
  await m.conductor('instance_info_cache_update', { uuid: record.build.uuid, network_info: networkInfo });
  if (record.build.config_drive) await m.files.writeConfigDrive(record.build, networkInfo);
}

/** Starts the guest and waits for its ports as a build does (network-vif-plugged); its power state. */
export async function startGuest(m: InstanceManager, record: InstanceRecord): Promise<number> {
  const uuid = record.build.uuid;
  const ids = record.ports.map((p) => p.id);
  const waiting = ids.length > 0 ? m.events.wait(uuid, ids, m.vifPlugTimeoutMs, (id) => m.vifs.isActive(id)) : Promise.resolve();
  waiting.catch(() => undefined);
  await m.driver.spawn(record);
  await waiting;
  return POWER_STATE.RUNNING;
}

/** Runs one step under the server's lock with its action event; failures go to `onError`. */
export function moveStep(m: InstanceManager, request: InstanceRequest, event: string, work: () => Promise<void>, onError: (error: unknown) => Promise<void>): Promise<void> {
  const { uuid, request_id } = request;
  return m.locked(uuid, async () => {
    await m.eventStart(uuid, request_id, event);
    try {
      await work();
      await m.eventFinish(uuid, request_id, event, 'Success');
    } catch (error) {
      m.logger.error({ err: error, instance: uuid, request_id, event }, 'move step failed');
      await onError(error).catch((err: unknown) => m.logger.error({ err, instance: uuid }, 'undoing the move step failed'));
      await m.eventFinish(uuid, request_id, event, 'Error', error);
    }
  });
}

export class MoveOperations {
  readonly #exports = new Map<string, DiskExport>();

  constructor(private readonly m: InstanceManager) {}

  async #closeExport(uuid: string): Promise<void> {
    const open = this.#exports.get(uuid);
    this.#exports.delete(uuid);
    await open?.close();
  }


  resizeInstance(r: ResizeInstanceRequest): Promise<void> {
    const { uuid } = r;
    let stopped = false;
    return moveStep(this.m, r, MOVE_EVENTS.resize, async () => {
      if (!(await this.m.instanceUpdate(uuid, { task_state: 'resize_migrating' }, ['resize_prep'])).updated) throw new InstanceGoneError(uuid);
      const address = this.m.migrationAddress;
      if (address === undefined) throw new Error(`host ${this.m.host} has no migration address: disks cannot leave it`);
      const record = await this.m.record(uuid);
      await this.m.driver.powerOff(uuid);
      stopped = true;
      const exported = await exportDisk(this.m.files.diskPath(uuid), {
        address, pidFile: join(this.m.files.dir(uuid), 'nbd.pid'), ...(this.m.driver.netns !== undefined ? { netns: this.m.driver.netns } : {}),
      });
      this.#exports.set(uuid, exported);
      setTimeout(() => { if (this.#exports.get(uuid) === exported) void this.#closeExport(uuid); }, EXPORT_LIFETIME_MS).unref();
      await this.m.instanceUpdate(uuid, { task_state: 'resize_migrated' }, ['resize_migrating']);
      const next: InstanceRecord = { ...record, build: { ...record.build, flavor: r.flavor } };
      await this.m.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: r.dest_host }, 'finish_resize', {
        uuid, request_id: r.request_id, migration_uuid: r.migration_uuid, record: next as unknown as Record<string, unknown>,
        disk_uri: exported.uri, power_on: r.power_on,
      });
    }, async (error) => {
      await this.#closeExport(uuid);
      if (error instanceof InstanceGoneError) return;
      if (stopped && r.power_on) await this.m.driver.spawn(await this.m.record(uuid));
      await this.m.conductor('resize_failed', { uuid, migration_uuid: r.migration_uuid, host: this.m.host, reason: messageOf(error) });
    });
  }

  finishResize(r: FinishResizeRequest): Promise<void> {
    const { uuid, record } = r;
    return moveStep(this.m, r, MOVE_EVENTS.finishResize, async () => {
      const switched = await this.m.conductor<{ updated: boolean }>('resize_switch_host', { uuid, migration_uuid: r.migration_uuid, host: this.m.host });
      if (!switched.updated) throw new InstanceGoneError(uuid);
      await mkdir(this.m.files.dir(uuid), { recursive: true, mode: 0o700 });
      const disk = this.m.files.diskPath(uuid);
      await pullDisk(r.disk_uri, disk, this.m.driver.netns);
      const wanted = record.build.flavor.root_gb * GIB;
      if (wanted > (await diskInfo(disk, 'qcow2')).virtualSize) await resizeDisk(disk, wanted);
      await this.m.files.saveRecord(record);
      await bindPortsHere(this.m, record);
      await refreshNetwork(this.m, record);
      const power = r.power_on ? await startGuest(this.m, record) : POWER_STATE.SHUTDOWN;
      await this.m.instanceUpdate(uuid, { vm_state: 'resized', task_state: null, power_state: power }, ['resize_finish']);
      await this.m.conductor('migration_status', { migration_uuid: r.migration_uuid, host: this.m.host, status: 'finished' });
    }, async (error) => {
      if (error instanceof InstanceGoneError) return;
      await this.m.instanceUpdate(uuid, { vm_state: 'error', task_state: null }).catch(() => undefined);
      await this.m.fault(uuid, error);
      await this.m.conductor('migration_status', { migration_uuid: r.migration_uuid, host: this.m.host, status: 'error' });
    });
  }

  confirmResize(r: MoveRequest): Promise<void> {
    return moveStep(this.m, r, MOVE_EVENTS.confirm, async () => {
      await this.#closeExport(r.uuid);
      await this.m.driver.destroy(r.uuid);
      await this.m.files.remove(r.uuid);
      await this.m.conductor('resize_confirmed', { uuid: r.uuid, migration_uuid: r.migration_uuid, host: this.m.host });
    }, async (error) => { await this.m.fault(r.uuid, error); });
  }

  revertResize(r: MoveRequest): Promise<void> {
    return moveStep(this.m, r, MOVE_EVENTS.revert, async () => {
      await this.m.driver.destroy(r.uuid);
      await this.m.files.remove(r.uuid);
      const back = await this.m.conductor<{ source_host: string; power_on: boolean }>('resize_revert_switch',
        { uuid: r.uuid, migration_uuid: r.migration_uuid, host: this.m.host });
      await this.m.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: back.source_host }, 'finish_revert_resize',
        { uuid: r.uuid, request_id: r.request_id, migration_uuid: r.migration_uuid, power_on: back.power_on });
    }, async (error) => {
      await this.m.instanceUpdate(r.uuid, { vm_state: 'error', task_state: null }).catch(() => undefined);
      await this.m.fault(r.uuid, error);
    });
  }

  finishRevertResize(r: FinishRevertRequest): Promise<void> {
    return moveStep(this.m, r, MOVE_EVENTS.finishRevert, async () => {
      await this.#closeExport(r.uuid);
      const record = await this.m.record(r.uuid);
      await bindPortsHere(this.m, record);
      await refreshNetwork(this.m, record);
      const power = r.power_on ? await startGuest(this.m, record) : POWER_STATE.SHUTDOWN;
      await this.m.instanceUpdate(r.uuid, { vm_state: r.power_on ? 'active' : 'stopped', task_state: null, power_state: power }, ['resize_reverting']);
      await this.m.conductor('migration_status', { migration_uuid: r.migration_uuid, host: this.m.host, status: 'reverted' });
    }, async (error) => {
      await this.m.instanceUpdate(r.uuid, { vm_state: 'error', task_state: null }).catch(() => undefined);
      await this.m.fault(r.uuid, error);
    });
  }
}

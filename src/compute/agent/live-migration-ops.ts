// Live migration on the hosts (nova/compute/manager.py live_migration, pre_live_migration,
// post_live_migration_at_destination, rollback_live_migration_at_destination), driven by the
// source once the conductor has claimed the destination:
//   source  live_migration        asks the destination to prepare (a call), mirrors the disk and
//                                 moves the guest (qemu-live-migration.ts), tells the conductor the
//                                 server lives there now, asks the destination to finish, drops
//                                 its own files; a failure before the switch leaves the guest
//                                 running here and the destination cleaned up
//   dest    pre_live_migration    empty disk of the source's size, record, config drive, QEMU
//                                 waiting with an NBD export → where to send disk and state
//   dest    post_live_migration_at_destination   NBD stopped, guest running, ports bound here
//   dest    rollback_live_migration_at_destination   QEMU ended, files removed
import { mkdir } from 'node:fs/promises';
import { POWER_STATE } from '../conductor/instance-protocol.js';
import { COMPUTE_RPC_TOPIC } from '../rpc/compute-protocol.js';
import { createEmptyDisk, diskInfo } from '../virt/disks.js';
import type { InstanceRecord } from './instance-files.js';
import { messageOf, type InstanceManager } from './manager.js';
import { bindPortsHere, moveStep, refreshNetwork, type MoveRequest } from './move-ops.js';
import { finishIncoming, migrateOut, prepareIncoming, type IncomingEndpoint, type LiveMigrationStats } from './qemu-live-migration.js';

export interface LiveMigrationRequest extends MoveRequest { readonly dest_host: string }
export interface PreLiveMigrationRequest extends MoveRequest { readonly record: InstanceRecord; readonly disk_size: number }
export interface PostLiveMigrationRequest extends MoveRequest { readonly running: boolean }

export const LIVE_EVENTS = {
  source: 'compute_live_migration',
  pre: 'compute_pre_live_migration',
  post: 'compute_post_live_migration_at_destination',
  rollback: 'compute_rollback_live_migration_at_destination',
} as const;

/** Preparing includes writing the config drive and starting QEMU; finishing includes binding ports. */
const DEST_CALL_MS = 180_000;

export class LiveMigrationOperations {
  /** The figures of the last live migration this host sent away (the lifecycle benchmark reads them). */
  readonly lastStats = new Map<string, LiveMigrationStats>();

  constructor(private readonly m: InstanceManager) {}

  #callDest<T>(host: string, method: string, args: Record<string, unknown>): Promise<T> {
    return this.m.bus.call({ topic: COMPUTE_RPC_TOPIC, host }, method, args, { timeoutMs: DEST_CALL_MS }) as Promise<T>;
  }

  liveMigration(r: LiveMigrationRequest): Promise<void> {
    const { uuid, request_id, migration_uuid } = r;
    const ids = { uuid, request_id, migration_uuid };
    let switched = false;
    return moveStep(this.m, r, LIVE_EVENTS.source, async () => {
      const record = await this.m.record(uuid);
      const size = (await diskInfo(this.m.files.diskPath(uuid), 'qcow2')).virtualSize;
      const running = (await this.m.driver.powerState(uuid)) === POWER_STATE.RUNNING;
      await this.m.conductor('migration_status', { migration_uuid, host: this.m.host, status: 'running' });
      const dest = await this.#callDest<IncomingEndpoint>(r.dest_host, 'pre_live_migration', { ...ids, record: record as unknown as Record<string, unknown>, disk_size: size });
      let stats: LiveMigrationStats;
      try {
        stats = await migrateOut(this.m.driver, uuid, dest);
      } catch (error) {
        await this.#callDest(r.dest_host, 'rollback_live_migration_at_destination', ids).catch(() => undefined);
        throw error;
      }
      this.lastStats.set(uuid, stats);
      this.m.logger.info({ instance: uuid, dest: r.dest_host, ...stats }, 'guest moved to the destination');
      switched = (await this.m.conductor<{ updated: boolean }>('live_migration_switch', { uuid, migration_uuid, host: this.m.host })).updated;
      // Nothing here is needed any more: the destination holds the disk and the running guest.
      await this.m.files.remove(uuid);
      await this.#callDest(r.dest_host, 'post_live_migration_at_destination', { ...ids, running });
    }, async (error) => {
      if (switched) return; // the guest runs on the destination; what failed there is its fault to report
      await this.m.conductor('resize_failed', { uuid, migration_uuid, host: this.m.host, reason: messageOf(error) });
    });
  }

  async preLiveMigration(r: PreLiveMigrationRequest): Promise<IncomingEndpoint> {
    const address = this.m.migrationAddress;
    if (address === undefined) throw new Error(`host ${this.m.host} has no migration address: guests cannot come here`);
    let result: IncomingEndpoint | undefined;
    let failure: unknown;
    await this.m.locked(r.uuid, async () => {
      await this.m.eventStart(r.uuid, r.request_id, LIVE_EVENTS.pre);
      try {
        await mkdir(this.m.files.dir(r.uuid), { recursive: true, mode: 0o700 });
        await createEmptyDisk(this.m.files.diskPath(r.uuid), r.disk_size);
        await this.m.files.saveRecord(r.record);
        if (r.record.build.config_drive) await this.m.files.writeConfigDrive(r.record.build, await this.m.vifs.vifInfo(r.record.ports));
        result = await prepareIncoming(this.m.driver, r.record, address);
        await this.m.eventFinish(r.uuid, r.request_id, LIVE_EVENTS.pre, 'Success');
      } catch (error) {
        failure = error;
        await this.m.files.remove(r.uuid).catch(() => undefined);
        await this.m.eventFinish(r.uuid, r.request_id, LIVE_EVENTS.pre, 'Error', error);
      }
    });
    if (result === undefined) throw failure ?? new Error('pre_live_migration failed');
    return result;
  }

  async postLiveMigration(r: PostLiveMigrationRequest): Promise<void> {
    let failure: unknown;
    await moveStep(this.m, r, LIVE_EVENTS.post, async () => {
      await finishIncoming(this.m.driver, r.uuid, r.running);
      const record = await this.m.record(r.uuid);
      await bindPortsHere(this.m, record);
      await refreshNetwork(this.m, record);
      await this.m.instanceUpdate(r.uuid, { task_state: null, power_state: await this.m.driver.powerState(r.uuid) }, ['migrating']);
    }, async (error) => {
      failure = error;
      await this.m.instanceUpdate(r.uuid, { vm_state: 'error', task_state: null }).catch(() => undefined);
      await this.m.fault(r.uuid, error);
    });
    if (failure !== undefined) throw failure;
  }

  async rollbackAtDestination(r: MoveRequest): Promise<void> {
    await this.m.locked(r.uuid, async () => {
      await this.m.driver.destroy(r.uuid);
      await this.m.files.remove(r.uuid);
    });
  }
}

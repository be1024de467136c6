// Live migration between two hosts' QEMUs without shared storage, the sequence libvirt drives for
// a block migration (QMP only):
//   destination  QEMU started with -incoming defer on an empty disk of the same size; an NBD
//                server on its migration address exporting that disk writable; migrate-incoming
//                listening on another port
//   source       drive-mirror of the disk into the destination's NBD export (sync full) until the
//                job is ready (both copies in step, the guest still running), then `migrate` of
//                RAM and device state over TCP; when QEMU reports completed (the guest paused at
//                the end: the downtime), the mirror job is cancelled (complete, no pivot) and the
//                source QEMU ends
//   destination  NBD server stopped, `cont`: the guest runs there
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VmHandle } from '../virt/qemu-process.js';
import type { InstanceRecord } from './instance-files.js';
import type { QemuDriver } from './qemu-driver.js';

/** The root disk's drive (command-line.ts names disks drive-disk<i>). */
const ROOT_DRIVE = 'drive-disk0';
const QMP_MS = 10_000;
/** Mirroring the disk and moving RAM: bounded so a stuck transfer fails instead of hanging. */
const TRANSFER_MS = 20 * 60_000;

/** Where the destination waits. */
export interface IncomingEndpoint {
  readonly address: string;
  readonly nbd_port: number;
  readonly migrate_port: number;
}

export interface LiveMigrationStats {
  /** ms the guest was paused (QEMU's `downtime`). */
  readonly downtimeMs: number;
  /** ms of the RAM migration (QEMU's `total-time`). */
  readonly totalTimeMs: number;
  /** ms from the start of the disk mirror to the source QEMU's end. */
  readonly elapsedMs: number;
  readonly ramBytes: number;
}

function host(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** Starts the destination QEMU waiting for the guest (its disk must exist, empty, at full size). */
export async function prepareIncoming(driver: QemuDriver, record: InstanceRecord, address: string): Promise<IncomingEndpoint> {
  const handle = await driver.startIncoming(record);
  try {
    for (let attempt = 0; ; attempt++) {
      const nbdPort = randomInt(49152, 60000);
      const migratePort = nbdPort + 1;
      try {
        await handle.qmp.execute('nbd-server-start', { addr: { type: 'inet', data: { host: address, port: String(nbdPort) } } }, { timeoutMs: QMP_MS });
      } catch (error) {
        if (attempt < 4) continue;
        throw error;
      }
      await handle.qmp.execute('nbd-server-add', { device: ROOT_DRIVE, writable: true }, { timeoutMs: QMP_MS });
      await handle.qmp.execute('migrate-incoming', { uri: `tcp:${host(address)}:${migratePort}` }, { timeoutMs: QMP_MS });
      return { address, nbd_port: nbdPort, migrate_port: migratePort };
    }
  } catch (error) {
    await driver.destroy(record.build.uuid);
    throw error;
  }
}

async function waitMirrorReady(handle: VmHandle, deadline: number): Promise<void> {
  for (;;) {
    const jobs = await handle.qmp.execute<{ device: string; ready?: boolean; status?: string }[]>('query-block-jobs');
    const job = jobs.find((j) => j.device === ROOT_DRIVE);
    if (!job) throw new Error('the disk mirror to the destination ended early');
    if (job.ready === true) return;
    if (Date.now() > deadline) throw new Error('the disk mirror to the destination did not catch up in time');
    await sleep(100);
  }
}

interface MigrateInfo {
  status?: string;
  'error-desc'?: string;
  downtime?: number;
  'total-time'?: number;
  ram?: { total?: number; transferred?: number; remaining?: number };
}

async function waitMigrated(handle: VmHandle, deadline: number): Promise<MigrateInfo> {
  for (;;) {
    const info = await handle.qmp.execute<MigrateInfo>('query-migrate');
    if (info.status === 'completed') return info;
    if (info.status === 'failed' || info.status === 'cancelled') throw new Error(`live migration ${info.status}${info['error-desc'] ? `: ${info['error-desc']}` : ''}`);
    if (Date.now() > deadline) throw new Error(`live migration did not finish in time (status ${info.status ?? 'none'})`);
    await sleep(50);
  }
}

/** Moves the running guest to `dest`; the source QEMU is gone afterwards. On failure the guest keeps running here. */
export async function migrateOut(driver: QemuDriver, uuid: string, dest: IncomingEndpoint): Promise<LiveMigrationStats> {
  const handle = await driver.processes.adopt(uuid);
  if (!handle) throw new Error(`guest ${uuid} is not running`);
  const started = Date.now();
  const deadline = started + TRANSFER_MS;
  let mirroring = false;
  try {
    await handle.qmp.execute('drive-mirror', {
      device: ROOT_DRIVE, 'job-id': ROOT_DRIVE, target: `nbd:${host(dest.address)}:${dest.nbd_port}:exportname=${ROOT_DRIVE}`,
      sync: 'full', mode: 'existing', format: 'raw',
    }, { timeoutMs: QMP_MS });
    mirroring = true;
    await waitMirrorReady(handle, deadline);
    await handle.qmp.execute('migrate', { uri: `tcp:${host(dest.address)}:${dest.migrate_port}` }, { timeoutMs: QMP_MS });
    const info = await waitMigrated(handle, deadline);
    // The guest is paused here for good: finish the mirror without switching to its target.
    await handle.qmp.execute('block-job-cancel', { device: ROOT_DRIVE }, { timeoutMs: QMP_MS }).catch(() => undefined);
    await driver.destroy(uuid);
    return { downtimeMs: info.downtime ?? 0, totalTimeMs: info['total-time'] ?? 0, elapsedMs: Date.now() - started, ramBytes: info.ram?.total ?? 0 };
  } catch (error) {
    await handle.qmp.execute('migrate_cancel', undefined, { timeoutMs: QMP_MS }).catch(() => undefined);
    if (mirroring) await handle.qmp.execute('block-job-cancel', { device: ROOT_DRIVE, force: true }, { timeoutMs: QMP_MS }).catch(() => undefined);
    // A guest paused by a failed switch-over runs again where it was.
    const status = await handle.qmp.execute<{ status: string }>('query-status').catch(() => undefined);
    if (status !== undefined && status.status !== 'running') await handle.qmp.execute('cont', undefined, { timeoutMs: QMP_MS }).catch(() => undefined);
    throw error;
  }
}

/** The guest arrived: the destination stops serving its disk and runs it (unless it was paused at the source). */
export async function finishIncoming(driver: QemuDriver, uuid: string, run: boolean): Promise<void> {
  const handle = await driver.processes.adopt(uuid);
  if (!handle) throw new Error(`the incoming guest ${uuid} is not running here`);
  await handle.qmp.execute('nbd-server-stop', undefined, { timeoutMs: QMP_MS }).catch(() => undefined);
  const status = await handle.qmp.execute<{ status: string }>('query-status');
  if (run && status.status !== 'running') await handle.qmp.execute('cont', undefined, { timeoutMs: QMP_MS });
}

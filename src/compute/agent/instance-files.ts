// A server's files on its compute host, as Nova's libvirt driver lays them out:
//   <stateDir>/instances/<uuid>/disk         qcow2 overlay on the cached base image (root_gb)
//                               console.log  the serial port (openstack console log show)
//                               disk.config  the config drive (config-2 ISO) when asked for
//                               build.json   the InstanceBuild, its ports and the image's hardware:
//                                            what start, reboot, terminate and a restarted agent need
//                               nvram.fd     a UEFI guest's variable store
//                               disk.rescue, disk.config.rescue   while rescued: the rescue disk
//                                            (first) and its config drive (the rescue password)
//   <stateDir>/_base/<image id>             BaseImageCache (verified by hash)
//   <stateDir>/vnc|serial|qga/<uuid>.sock    the guest's VNC server, serial port and guest agent
import { randomBytes } from 'node:crypto';
import { open, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BaseImageCache, buildConfigDrive, createOverlay } from '../virt/disks.js';
import type { InstanceBuild, VifInfo } from '../rpc/compute-protocol.js';
import { networkData, type InstancePort } from './vifs.js';
import type { GuestHardware } from './guest-hardware.js';
import { DASHED_UUID as UUID } from '../../core/ids.js';

/** What build.json holds. */
export interface InstanceRecord {
  readonly build: InstanceBuild;
  readonly ports: readonly InstancePort[];
  /** What the image asked for (absent in records of older agents: the defaults). */
  readonly hardware?: GuestHardware;
  /** Present while rescued: every start boots the rescue disk first, the own disk second. */
  readonly rescue?: { readonly image_id: string };
}

const GIB = 1024 ** 3;
/** Nova's libvirt driver returns at most the last 100 KiB of the console log (MAX_CONSOLE_BYTES). */
export const MAX_CONSOLE_BYTES = 100 * 1024;

export class InstanceFiles {
  readonly instancesDir: string;
  readonly baseImages: BaseImageCache;

  constructor(readonly stateDir: string) {
    this.instancesDir = join(stateDir, 'instances');
    this.baseImages = new BaseImageCache(join(stateDir, '_base'));
  }

  dir(uuid: string): string {
    if (!UUID.test(uuid)) throw new Error(`invalid instance uuid ${JSON.stringify(uuid)}`);
    return join(this.instancesDir, uuid);
  }

  diskPath(uuid: string): string { return join(this.dir(uuid), 'disk'); }
  consolePath(uuid: string): string { return join(this.dir(uuid), 'console.log'); }
  configDrivePath(uuid: string): string { return join(this.dir(uuid), 'disk.config'); }
  /** The guest's memory and device state while suspended (QEMU's migration stream). */
  suspendStatePath(uuid: string): string { return join(this.dir(uuid), 'suspend.state'); }
  /** The guest's own UEFI variable store (a copy of OVMF's template, kept across boots). */
  nvramPath(uuid: string): string { return join(this.dir(uuid), 'nvram.fd'); }
  /** A snapshot on its way to the image service. */
  snapshotPath(uuid: string, imageId: string): string { return join(this.dir(uuid), `snapshot-${imageId}.qcow2`); }
  /** While rescued: the overlay of the rescue image the guest boots from (Nova's disk.rescue). */
  rescueDiskPath(uuid: string): string { return join(this.dir(uuid), 'disk.rescue'); }
  rescueConfigDrivePath(uuid: string): string { return join(this.dir(uuid), 'disk.config.rescue'); }
  recordPath(uuid: string): string { return join(this.dir(uuid), 'build.json'); }
  /** VNC's unix socket lives beside QMP's (short paths: sun_path is 108 bytes). */
  vncSocketPath(uuid: string): string { return join(this.stateDir, 'vnc', `${uuid}.sock`); }
  /** The serial port's interactive side (the console proxy's serial websocket); it still logs to console.log. */
  serialSocketPath(uuid: string): string { return join(this.stateDir, 'serial', `${uuid}.sock`); }
  /** The QEMU guest agent's channel, beside the VNC sockets. */
  guestAgentSocketPath(uuid: string): string { return join(this.stateDir, 'qga', `${uuid}.sock`); }

  /** The root disk: an overlay of `basePath` grown to root_gb (0 = the image's own size). */
  async createDisk(uuid: string, basePath: string, rootGb: number, path = this.diskPath(uuid)): Promise<void> {
    await mkdir(this.dir(uuid), { recursive: true, mode: 0o700 });
    await rm(path, { force: true });
    await createOverlay(basePath, path, rootGb > 0 ? { sizeBytes: rootGb * GIB } : {});
  }

  /** The config drive with Nova's config-2 content (nova/api/metadata/base.py, configdrive.py). */
  async writeConfigDrive(build: InstanceBuild, vifs: readonly VifInfo[], path = this.configDrivePath(build.uuid)): Promise<void> {
    const metaData: Record<string, unknown> = { uuid: build.uuid };
    if (Object.keys(build.metadata).length > 0) metaData.meta = build.metadata;
    if (build.key_name !== null && build.key_data !== null) {
      metaData.public_keys = { [build.key_name]: build.key_data };
      metaData.keys = [{ name: build.key_name, type: build.key_data.startsWith('-----BEGIN') ? 'x509' : 'ssh', data: build.key_data }];
    }
    Object.assign(metaData, {
      hostname: build.hostname, name: build.display_name, launch_index: build.launch_index,
      availability_zone: build.availability_zone, random_seed: randomSeed(), project_id: build.project_id, devices: [], dedicated_cpus: [],
    });
    // Nova puts the admin password in meta_data.json's admin_pass on config drives only.
    if (build.admin_password !== null) metaData.admin_pass = build.admin_password;
    await buildConfigDrive(path, {
      metaData,
      ...(build.user_data !== null ? { userData: Buffer.from(build.user_data, 'base64') } : {}),
      networkData: networkData(vifs),
    });
  }

  async saveRecord(record: InstanceRecord): Promise<void> {
    const path = this.recordPath(record.build.uuid);
    await mkdir(this.dir(record.build.uuid), { recursive: true, mode: 0o700 });
    await writeFile(`${path}.tmp`, `${JSON.stringify(record, null, 1)}\n`, { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }

  async loadRecord(uuid: string): Promise<InstanceRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(this.recordPath(uuid), 'utf8')) as InstanceRecord;
      return record.build?.uuid === uuid && Array.isArray(record.ports) ? record : undefined;
    } catch {
      return undefined;
    }
  }

  async hasConfigDrive(uuid: string, path = this.configDrivePath(uuid)): Promise<boolean> {
    return stat(path).then((s) => s.isFile(), () => false);
  }

  /** The instance uuids that have a directory here. */
  async list(): Promise<string[]> {
    const names = await readdir(this.instancesDir).catch(() => [] as string[]);
    return names.filter((n) => UUID.test(n)).sort();
  }

  async remove(uuid: string): Promise<void> {
    await rm(this.dir(uuid), { recursive: true, force: true });
    await rm(this.vncSocketPath(uuid), { force: true });
    await rm(this.serialSocketPath(uuid), { force: true });
  }

  /** The last `lines` lines of the console log (all for undefined), at most MAX_CONSOLE_BYTES. */
  async consoleOutput(uuid: string, lines?: number): Promise<string> {
    let text: string;
    const handle = await open(this.consolePath(uuid), 'r').catch(() => undefined);
    if (!handle) return '';
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, MAX_CONSOLE_BYTES);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
    if (lines === undefined) return text;
    if (lines === 0) return '';
    // Nova: the last N lines of the log (a trailing newline does not count as a line).
    const all = text.split('\n');
    if (all[all.length - 1] === '') all.pop();
    return all.slice(-lines).join('\n');
  }
}

/** 512 random bytes, base64 (meta_data.json random_seed). */
function randomSeed(): string {
  return randomBytes(512).toString('base64');
}

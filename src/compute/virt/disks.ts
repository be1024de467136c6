// Guest disks: qcow2 overlays on a cached base image, resize, info, the base image cache (one file
// per image id, verified by its hash before it is ever used) and the config drive (ISO9660 labelled
// config-2, the layout Nova writes). Tools: qemu-img (qemu-utils) and xorriso, with argument arrays.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run } from '../../hostnet/index.js';

export class DiskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiskError';
  }
}

export interface DiskInfo {
  format: string;
  virtualSize: number;
  actualSize: number;
  backingFile?: string;
  backingFormat?: string;
}

const QEMU_IMG_TIMEOUT_MS = 120_000;

function checkPath(kind: string, path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || /[\0\n\r]/.test(path)) throw new DiskError(`${kind}: expected an absolute path, got ${JSON.stringify(path)}`);
  return path;
}

/** `qemu-img info --output=json` (with --force-share, so it works on a disk a running guest holds). */
export async function diskInfo(path: string, format?: 'qcow2' | 'raw'): Promise<DiskInfo> {
  const args = ['info', '--output=json', '--force-share'];
  if (format) args.push('-f', format);
  args.push(checkPath('disk', path));
  const { stdout } = await run('qemu-img', args, { timeoutMs: QEMU_IMG_TIMEOUT_MS });
  const info = JSON.parse(stdout) as Record<string, unknown>;
  const result: DiskInfo = {
    format: String(info.format),
    virtualSize: Number(info['virtual-size']),
    actualSize: Number(info['actual-size'] ?? 0),
  };
  if (typeof info['backing-filename'] === 'string') result.backingFile = info['backing-filename'];
  if (typeof info['backing-filename-format'] === 'string') result.backingFormat = info['backing-filename-format'];
  return result;
}

/**
 * A qcow2 overlay whose backing file is `base` (its format detected unless given), at least
 * `sizeBytes` big (never smaller than the base: a flavor's root disk only grows the image).
 */
export async function createOverlay(base: string, overlay: string, options: { sizeBytes?: number; baseFormat?: 'qcow2' | 'raw' } = {}): Promise<DiskInfo> {
  checkPath('base', base);
  checkPath('overlay', overlay);
  const baseInfo = await diskInfo(base, options.baseFormat);
  const baseFormat = options.baseFormat ?? baseInfo.format;
  if (baseFormat !== 'qcow2' && baseFormat !== 'raw') throw new DiskError(`base image ${base} has unsupported format ${baseFormat}`);
  const args = ['create', '-q', '-f', 'qcow2', '-F', baseFormat, '-b', base, overlay];
  if (options.sizeBytes !== undefined) {
    if (!Number.isSafeInteger(options.sizeBytes) || options.sizeBytes <= 0) throw new DiskError(`size must be a positive integer, got ${options.sizeBytes}`);
    args.push(String(Math.max(options.sizeBytes, baseInfo.virtualSize)));
  }
  await mkdir(dirname(overlay), { recursive: true });
  await run('qemu-img', args, { timeoutMs: QEMU_IMG_TIMEOUT_MS });
  return diskInfo(overlay, 'qcow2');
}

/** An empty standalone qcow2 of sizeBytes (a live migration's destination disk, filled over NBD). */
export async function createEmptyDisk(path: string, sizeBytes: number): Promise<DiskInfo> {
  checkPath('disk', path);
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) throw new DiskError(`size must be a positive integer, got ${sizeBytes}`);
  await mkdir(dirname(path), { recursive: true });
  await run('qemu-img', ['create', '-q', '-f', 'qcow2', path, String(sizeBytes)], { timeoutMs: QEMU_IMG_TIMEOUT_MS });
  return diskInfo(path, 'qcow2');
}

/** Grows a disk to sizeBytes (shrinking is refused: it would cut a guest's filesystem). */
export async function resizeDisk(path: string, sizeBytes: number): Promise<DiskInfo> {
  const info = await diskInfo(path);
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) throw new DiskError(`size must be a positive integer, got ${sizeBytes}`);
  if (sizeBytes < info.virtualSize) throw new DiskError(`refusing to shrink ${path} from ${info.virtualSize} to ${sizeBytes} bytes`);
  if (sizeBytes > info.virtualSize) {
    await run('qemu-img', ['resize', '-q', '-f', info.format, checkPath('disk', path), String(sizeBytes)], { timeoutMs: QEMU_IMG_TIMEOUT_MS });
  }
  return diskInfo(path, info.format === 'raw' ? 'raw' : 'qcow2');
}

/**
 * The whole disk (its backing chain folded in) as one standalone qcow2 at `dest`: a snapshot's
 * image. --force-share reads a disk a paused guest still holds open (its writes were flushed when
 * QEMU stopped it).
 */
export async function flattenDisk(source: string, dest: string): Promise<DiskInfo> {
  await mkdir(dirname(checkPath('dest', dest)), { recursive: true });
  await run('qemu-img', ['convert', '-q', '--force-share', '-O', 'qcow2', checkPath('disk', source), dest], { timeoutMs: QEMU_IMG_TIMEOUT_MS * 5 });
  return diskInfo(dest, 'qcow2');
}

export type HashAlgorithm = 'sha256' | 'sha512' | 'md5';
export interface ExpectedHash { algorithm: HashAlgorithm; value: string }

export async function hashFile(path: string, algorithm: HashAlgorithm = 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const IMAGE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

interface CacheRecord { imageId: string; algorithm: HashAlgorithm; value: string; size: number; mtimeMs: number; format: string }

/**
 * Base images fetched from the image service, one file per image id under `dir`. A file is used
 * only after its hash matched the image's (Glance's os_hash_value / checksum); the verified hash,
 * size and mtime are remembered beside it, so later uses do not re-read gigabytes, and any change
 * of the file makes it fetched and verified again. Images with a backing file are refused.
 */
export class BaseImageCache {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(readonly dir: string) {}

  pathOf(imageId: string): string {
    if (typeof imageId !== 'string' || !IMAGE_ID.test(imageId)) throw new DiskError(`invalid image id ${JSON.stringify(imageId)}`);
    return join(this.dir, imageId);
  }

  /** The verified base image's path, fetching it with `fetch(tempPath)` if missing or changed. */
  ensure(imageId: string, expected: ExpectedHash, fetch: (destination: string) => Promise<void>): Promise<string> {
    const path = this.pathOf(imageId);
    const running = this.inflight.get(imageId);
    if (running) return running;
    const work = this.ensureLocked(imageId, path, expected, fetch).finally(() => this.inflight.delete(imageId));
    this.inflight.set(imageId, work);
    return work;
  }

  /** Removes a cached image (e.g. once no guest uses it). */
  async remove(imageId: string): Promise<void> {
    const path = this.pathOf(imageId);
    await rm(path, { force: true });
    await rm(`${path}.verified`, { force: true });
  }

  /** Image ids with a verified file in the cache. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const ids: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.verified')).sort()) {
      const id = name.slice(0, -'.verified'.length);
      if (IMAGE_ID.test(id) && (await this.recordMatches(id))) ids.push(id);
    }
    return ids;
  }

  private async recordMatches(imageId: string, expected?: ExpectedHash): Promise<CacheRecord | undefined> {
    const path = this.pathOf(imageId);
    try {
      const record = JSON.parse(await readFile(`${path}.verified`, 'utf8')) as CacheRecord;
      const info = await stat(path);
      if (record.size !== info.size || record.mtimeMs !== info.mtimeMs) return undefined;
      if (expected && (record.algorithm !== expected.algorithm || record.value !== expected.value.toLowerCase())) return undefined;
      return record;
    } catch {
      return undefined;
    }
  }

  private async ensureLocked(imageId: string, path: string, expected: ExpectedHash, fetch: (destination: string) => Promise<void>): Promise<string> {
    if (!['sha256', 'sha512', 'md5'].includes(expected.algorithm) || !/^[0-9a-fA-F]+$/.test(expected.value)) {
      throw new DiskError(`image ${imageId}: unusable expected hash ${expected.algorithm}:${expected.value}`);
    }
    if (await this.recordMatches(imageId, expected)) return path;
    await mkdir(this.dir, { recursive: true });
    const work = await mkdtemp(join(this.dir, `.fetch-${imageId}-`));
    try {
      const temp = join(work, 'image');
      await fetch(temp);
      const actual = await hashFile(temp, expected.algorithm);
      if (actual !== expected.value.toLowerCase()) {
        throw new DiskError(`image ${imageId}: ${expected.algorithm} mismatch (expected ${expected.value.toLowerCase()}, got ${actual})`);
      }
      const info = await diskInfo(temp);
      if (info.backingFile !== undefined) throw new DiskError(`image ${imageId} has a backing file (${info.backingFile}): refused`);
      await rename(temp, path);
      const { size, mtimeMs } = await stat(path);
      const record: CacheRecord = { imageId, algorithm: expected.algorithm, value: actual, size, mtimeMs, format: info.format };
      await writeFile(`${path}.verified`, `${JSON.stringify(record)}\n`);
      return path;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}

export interface ConfigDriveContent {
  /** openstack/latest/meta_data.json (uuid, name, hostname, public_keys, …). */
  metaData: Record<string, unknown>;
  /** openstack/latest/user_data (as given; not base64). */
  userData?: string | Buffer;
  networkData?: Record<string, unknown>;
  vendorData?: Record<string, unknown>;
  /** Also write ec2/latest/meta-data.json and ec2/latest/user-data. */
  ec2MetaData?: Record<string, unknown>;
}

/** OpenStack metadata versions a config drive carries (the newest under "latest" too). */
const OPENSTACK_VERSIONS = ['2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30', '2016-10-06', '2017-02-22', '2018-08-27', '2020-10-14', 'latest'];

/**
 * Writes a config drive ISO9660 image (volume label config-2, Rock Ridge + Joliet) at `path`
 * with Nova's layout: openstack/<version>/{meta_data.json,user_data,network_data.json,vendor_data.json,vendor_data2.json}.
 */
export async function buildConfigDrive(path: string, content: ConfigDriveContent): Promise<void> {
  checkPath('config drive', path);
  await mkdir(dirname(path), { recursive: true });
  const staging = await mkdtemp(join(dirname(path), '.config-drive-'));
  try {
    const json = (value: unknown): string => `${JSON.stringify(value)}`;
    for (const version of OPENSTACK_VERSIONS) {
      const dir = join(staging, 'openstack', version);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'meta_data.json'), json(content.metaData));
      if (content.userData !== undefined) await writeFile(join(dir, 'user_data'), content.userData);
      await writeFile(join(dir, 'network_data.json'), json(content.networkData ?? { links: [], networks: [], services: [] }));
      await writeFile(join(dir, 'vendor_data.json'), json(content.vendorData ?? {}));
      await writeFile(join(dir, 'vendor_data2.json'), json({}));
    }
    if (content.ec2MetaData) {
      const dir = join(staging, 'ec2', 'latest');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'meta-data.json'), json(content.ec2MetaData));
      if (content.userData !== undefined) await writeFile(join(dir, 'user-data'), content.userData);
    }
    const temp = `${path}.tmp-${process.pid}`;
    const args = ['-as', 'mkisofs', '-quiet', '-o', temp, '-V', 'config-2', '-publisher', 'Nimbus', '-J', '-R', '-input-charset', 'utf-8'];
    args.push(staging);
    try {
      await run('xorriso', args, { timeoutMs: 60_000 });
    } catch (error) {
      await rm(temp, { force: true });
      throw new DiskError(`config drive: ${(error as Error).message}`);
    }
    await rename(temp, path);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

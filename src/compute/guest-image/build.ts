// Builds "nimbus-cirros", the small test guest (as CirrOS is built), from Debian packages and
// without loop mounts or root-only steps:
//   initramfs  busybox-static + applet links, dropbear + the libraries ldd lists, the kernel
//              modules the guest needs (dependency order from modinfo), /init and its scripts —
//              written by our own cpio writer (fixed inode numbers, owners and mtimes) and gzip'd
//   FAT        mformat on a plain file; mcopy the kernel, initramfs and syslinux.cfg; syslinux
//              (its mtools-based installer) writes its boot sector and ldlinux.sys/.c32; for UEFI,
//              syslinux-efi's loader as \EFI\BOOT\BOOTX64.EFI with the same syslinux.cfg
//   disk       sfdisk (MBR, one bootable FAT16 partition at 1 MiB), the FAT written at its offset,
//              syslinux's mbr.bin in the first 440 bytes; qemu-img converts it to qcow2
// The result is cached in outDir under a key made of every input (kernel, busybox, dropbear and
// syslinux binaries' hashes, the guest's scripts), so a second call returns at once.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, copyFile, mkdir, mkdtemp, open, readFile, readdir, realpath, rename, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { buildCpio, type CpioEntry } from './cpio.js';
import * as files from './guest-files.js';

const gzipAsync = promisify(gzip);

export interface GuestImageOptions {
  /** Where the image (and its manifest) is written; created if missing. */
  outDir: string;
  /** Kernel version under /lib/modules with /boot/vmlinuz-<version>; default: the newest. */
  kernelVersion?: string;
  /** Timestamp (seconds) for every file in the initramfs and on the FAT; default SOURCE_DATE_EPOCH or 0. */
  sourceDateEpoch?: number;
  /** Rebuild even when a cached image with the same inputs exists. */
  force?: boolean;
}

export interface GuestImage {
  path: string;
  sha256: string;
  sizeBytes: number;
  /** Size of the disk the guest sees. */
  virtualSizeBytes: number;
  /** The hash of the inputs, part of the file name. */
  cacheKey: string;
  kernelVersion: string;
  /** false when the cached image was returned. */
  built: boolean;
}

export class GuestImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuestImageError';
  }
}

/** Host paths of the inputs (Debian packages: linux-image-amd64, busybox-static, dropbear-bin, syslinux, syslinux-common, syslinux-efi, mtools, fdisk, qemu-utils). */
const BUSYBOX = '/bin/busybox';
/** Bumped when the image's layout changes in this file (modes, paths), so cached builds are redone. */
const LAYOUT_VERSION = 3;
const DROPBEAR = '/usr/sbin/dropbear';
const DROPBEARKEY = '/usr/bin/dropbearkey';
const SYSLINUX_MBR = '/usr/lib/syslinux/mbr/mbr.bin';
/** syslinux-efi's loader and its core module: the same syslinux.cfg boots the image under UEFI (OVMF). */
const SYSLINUX_EFI = '/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi';
const SYSLINUX_EFI_CORE = '/usr/lib/syslinux/modules/efi64/ldlinux.e64';
const SYSLINUX_MBR_ALT = '/usr/lib/SYSLINUX/mbr.bin';
const DISK_MIB = 32;
const PART_START_SECTOR = 2048;
/** Disk signature and FAT serial: fixed so the disk is reproducible. */
const DISK_ID = '0x4e494d42';

async function exec(file: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        if (error) {
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          reject(new GuestImageError(`${file} ${args.join(' ')}: ${missing ? 'command not found (run scripts/install-deps.sh)' : error.message}${stderr ? `: ${stderr.trim()}` : ''}`));
        } else {
          resolve(stdout);
        }
      });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return hash.digest('hex');
}

/** Newest kernel that has both /boot/vmlinuz-<v> and /lib/modules/<v>. */
export async function findKernelVersion(requested?: string): Promise<string> {
  let versions: string[] = [];
  try {
    versions = (await readdir('/lib/modules')).filter((v) => /^[0-9][A-Za-z0-9._+-]*$/.test(v));
  } catch { /* none */ }
  const usable: string[] = [];
  for (const v of versions) if (await exists(`/boot/vmlinuz-${v}`)) usable.push(v);
  if (requested !== undefined) {
    if (!usable.includes(requested)) throw new GuestImageError(`kernel ${requested} not found (need /boot/vmlinuz-${requested} and /lib/modules/${requested})`);
    return requested;
  }
  usable.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const newest = usable[usable.length - 1];
  if (newest === undefined) throw new GuestImageError('no kernel found: install linux-image-amd64 (scripts/install-deps.sh)');
  return newest;
}

interface ModuleInfo { name: string; path: string }

/** The modules and their dependencies, each after what it depends on. */
export async function resolveModules(kernelVersion: string, names: readonly string[]): Promise<ModuleInfo[]> {
  const ordered: ModuleInfo[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const builtin = new Set((await readFile(`/lib/modules/${kernelVersion}/modules.builtin`, 'utf8').catch(() => ''))
    .split('\n').map((line) => line.split('/').pop()?.replace(/\.ko(\..*)?$/, '').replace(/-/g, '_') ?? '').filter(Boolean));
  const visit = async (raw: string): Promise<void> => {
    const name = raw.replace(/-/g, '_');
    if (done.has(name) || builtin.has(name)) return;
    if (visiting.has(name)) throw new GuestImageError(`module dependency cycle at ${name}`);
    visiting.add(name);
    const depends = (await exec('modinfo', ['-k', kernelVersion, '-F', 'depends', name])).trim();
    for (const dep of depends.split(',').map((d) => d.trim()).filter(Boolean)) await visit(dep);
    const path = (await exec('modinfo', ['-k', kernelVersion, '-n', name])).trim();
    if (!path.startsWith('/') || !path.includes('.ko')) throw new GuestImageError(`module ${name}: unexpected path ${path}`);
    visiting.delete(name);
    done.add(name);
    ordered.push({ name, path });
  };
  for (const name of names) await visit(name);
  return ordered;
}

/** Libraries a dynamic binary needs, as ldd names them (path in the guest = path on the host). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const out = await exec('ldd', [binary]);
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const direct = /^\s*(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? direct?.[1];
    if (path) libs.push(path);
  }
  return libs;
}

async function busyboxVersion(): Promise<string> {
  const out = await exec(BUSYBOX, ['--help']).catch((e: GuestImageError) => e.message);
  return /BusyBox v\S+( \([^)]*\))?/.exec(out)?.[0] ?? 'unknown';
}

async function syslinuxMbr(): Promise<string> {
  for (const p of [SYSLINUX_MBR, SYSLINUX_MBR_ALT]) if (await exists(p)) return p;
  throw new GuestImageError('syslinux mbr.bin not found: install syslinux-common (scripts/install-deps.sh)');
}

interface Inputs {
  kernelVersion: string;
  vmlinuz: string;
  modules: ModuleInfo[];
  dropbearLibs: string[];
  mbr: string;
  key: string;
  epoch: number;
}

async function gatherInputs(options: GuestImageOptions): Promise<Inputs> {
  const kernelVersion = await findKernelVersion(options.kernelVersion);
  const vmlinuz = `/boot/vmlinuz-${kernelVersion}`;
  for (const [path, pkg] of [[BUSYBOX, 'busybox-static'], [DROPBEAR, 'dropbear-bin'], [DROPBEARKEY, 'dropbear-bin'], [SYSLINUX_EFI, 'syslinux-efi'], [SYSLINUX_EFI_CORE, 'syslinux-efi']] as const) {
    if (!(await exists(path))) throw new GuestImageError(`${path} not found: install ${pkg} (scripts/install-deps.sh)`);
  }
  const [modules, mbr, bbVersion] = await Promise.all([resolveModules(kernelVersion, files.GUEST_MODULES), syslinuxMbr(), busyboxVersion()]);
  const dropbearLibs = [...new Set([...(await sharedLibraries(DROPBEAR)), ...(await sharedLibraries(DROPBEARKEY))])].sort();
  const envEpoch = Number(process.env.SOURCE_DATE_EPOCH);
  const epoch = options.sourceDateEpoch ?? (Number.isInteger(envEpoch) && envEpoch >= 0 ? envEpoch : 0);
  const hashes: Record<string, string> = {};
  for (const path of [vmlinuz, BUSYBOX, DROPBEAR, DROPBEARKEY, mbr, SYSLINUX_EFI, SYSLINUX_EFI_CORE, ...dropbearLibs, ...modules.map((m) => m.path)]) {
    hashes[path] = await fileSha256(path);
  }
  const syslinuxVersion = (await exec('syslinux', ['--version']).catch((e: GuestImageError) => e.message)).trim();
  const key = sha256(JSON.stringify({
    kernelVersion, bbVersion, syslinuxVersion, epoch, hashes, texts: sha256(files.guestTextsDigestInput()), disk: [DISK_MIB, PART_START_SECTOR, DISK_ID],
    layout: LAYOUT_VERSION,
  })).slice(0, 16);
  return { kernelVersion, vmlinuz, modules, dropbearLibs, mbr, key, epoch };
}

async function initramfsEntries(inputs: Inputs): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const dir = (path: string, mode = 0o755, uid = 0, gid = 0): void => {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (dirs.has(p)) continue;
      dirs.add(p);
      entries.push(i === parts.length ? { type: 'dir', path: p, mode, uid, gid } : { type: 'dir', path: p });
    }
  };
  const parentOf = (path: string): string => path.split('/').filter(Boolean).slice(0, -1).join('/');
  const file = async (path: string, data: Buffer | string, mode = 0o644): Promise<void> => {
    const parent = parentOf(path);
    if (parent) dir(parent);
    entries.push({ type: 'file', path, data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'), mode });
  };
  const hostFile = async (hostPath: string, guestPath = hostPath, mode = 0o755): Promise<void> => {
    await file(guestPath, await readFile(await realpath(hostPath)), mode);
  };

  for (const d of ['bin', 'dev', 'etc', 'lib', 'mnt', 'proc', 'root', 'run', 'sys', 'usr', 'var']) dir(d);
  dir('tmp', 0o1777);
  dir('home/cirros', 0o755);
  entries.push({ type: 'char', path: 'dev/console', major: 5, minor: 1, mode: 0o600 });
  entries.push({ type: 'char', path: 'dev/null', major: 1, minor: 3, mode: 0o666 });
  entries.push({ type: 'symlink', path: 'sbin', target: 'bin' });
  entries.push({ type: 'symlink', path: 'usr/bin', target: '../bin' });
  entries.push({ type: 'symlink', path: 'usr/sbin', target: '../bin' });

  // Setuid as CirrOS lets its user ping (Tempest's connectivity checks run `ping` as cirros):
  // Debian's busybox drops root for every applet not marked as needing it.
  await hostFile(BUSYBOX, 'bin/busybox', 0o4755);
  const applets = (await exec(BUSYBOX, ['--list'])).split('\n').map((a) => a.trim())
    .filter((a) => /^[A-Za-z0-9_.[-]+$/.test(a) && a !== 'busybox').sort();
  for (const applet of new Set(applets)) entries.push({ type: 'symlink', path: `bin/${applet}`, target: 'busybox' });
  await hostFile(DROPBEAR, 'bin/dropbear');
  await hostFile(DROPBEARKEY, 'bin/dropbearkey');
  for (const lib of inputs.dropbearLibs) await hostFile(lib, lib.replace(/^\/+/, ''));

  const moduleLines: string[] = [];
  for (const m of inputs.modules) {
    const guestPath = m.path.replace(/^\/+(usr\/)?/, '');
    await hostFile(m.path, guestPath, 0o644);
    moduleLines.push(`${m.name} /${guestPath}`);
  }

  await file('init', files.INIT, 0o755);
  await file('etc/inittab', files.INITTAB);
  await file('etc/init.d/rcS', files.RCS, 0o755);
  await file('etc/init.d/rcK', files.RCK, 0o755);
  await file('etc/udhcpc.script', files.UDHCPC_SCRIPT, 0o755);
  await file('etc/acpi/PWRF/00000080', files.ACPI_POWER, 0o755);
  await file('bin/sudo', files.SUDO, 0o755);
  await file('bin/curl', files.CURL, 0o755);
  await file('bin/blkid', files.BLKID, 0o755);
  await file('etc/passwd', files.PASSWD);
  await file('etc/group', files.GROUP);
  await file('etc/shells', files.SHELLS);
  await file('etc/nsswitch.conf', files.NSSWITCH);
  await file('etc/hosts', files.HOSTS);
  await file('etc/profile', files.PROFILE);
  await file('etc/nimbus/modules', `${moduleLines.join('\n')}\n`);
  await file('etc/nimbus/version', `${files.IMAGE_NAME} ${inputs.key}\n`);
  return entries;
}

/** Writes `data` into `path` at byte `offset` (the file must exist). */
async function writeAt(path: string, data: Buffer, offset: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(data, 0, data.length, offset);
  } finally {
    await handle.close();
  }
}

async function buildInto(work: string, inputs: Inputs, target: string): Promise<void> {
  const env = { ...process.env, SOURCE_DATE_EPOCH: String(inputs.epoch), MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0', TZ: 'UTC' };
  const when = new Date(inputs.epoch * 1000);

  const cpio = buildCpio(await initramfsEntries(inputs), inputs.epoch);
  const initrd = join(work, 'initrd.gz');
  await writeFile(initrd, await gzipAsync(cpio, { level: 9 }));
  const vmlinuz = join(work, 'vmlinuz');
  await copyFile(inputs.vmlinuz, vmlinuz);
  const cfg = join(work, 'syslinux.cfg');
  await writeFile(cfg, files.SYSLINUX_CFG);
  for (const f of [initrd, vmlinuz, cfg]) await utimes(f, when, when);

  const diskBytes = DISK_MIB * 1024 * 1024;
  const partBytes = diskBytes - PART_START_SECTOR * 512;
  const fat = join(work, 'fat.img');
  await writeFile(fat, '');
  await truncate(fat, partBytes);
  await exec('mformat', ['-i', fat, '-T', String(partBytes / 512), '-h', '64', '-s', '32', '-H', String(PART_START_SECTOR),
    '-N', DISK_ID.slice(2), '-v', 'NIMBUS', '::'], { env });
  for (const f of [vmlinuz, initrd, cfg]) await exec('mcopy', ['-m', '-i', fat, f, `::/${f.slice(work.length + 1)}`], { env });
  await exec('syslinux', ['--install', fat], { env });
  // UEFI: firmware boots \EFI\BOOT\BOOTX64.EFI from any FAT file system (the removable-media
  // path); syslinux.efi reads syslinux.cfg from its own directory, whose paths are absolute.
  const efiFiles: [string, string][] = [['BOOTX64.EFI', SYSLINUX_EFI], ['ldlinux.e64', SYSLINUX_EFI_CORE], ['syslinux.cfg', cfg]];
  await exec('mmd', ['-i', fat, '::/EFI', '::/EFI/BOOT'], { env });
  for (const [name, hostPath] of efiFiles) {
    const local = join(work, `efi-${name}`);
    await copyFile(hostPath, local);
    await utimes(local, when, when);
    await exec('mcopy', ['-m', '-i', fat, local, `::/EFI/BOOT/${name}`], { env });
  }

  const disk = join(work, 'disk.raw');
  await writeFile(disk, '');
  await truncate(disk, diskBytes);
  await exec('sfdisk', ['--no-reread', '--no-tell-kernel', '-q', disk], {
    env, input: `label: dos\nlabel-id: ${DISK_ID}\nunit: sectors\n\nstart=${PART_START_SECTOR}, type=e, bootable\n`,
  });
  await writeAt(disk, await readFile(fat), PART_START_SECTOR * 512);
  const mbr = await readFile(inputs.mbr);
  await writeAt(disk, mbr.subarray(0, 440), 0);
  await exec('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', '-o', 'compat=1.1', disk, target]);
}

function manifestPath(imagePath: string): string {
  return `${imagePath}.json`;
}

/**
 * Builds the image into outDir (or returns the cached one with the same inputs).
 * The file is nimbus-cirros-<key>.qcow2 beside a manifest <file>.json.
 */
export async function buildGuestImage(options: GuestImageOptions): Promise<GuestImage> {
  const inputs = await gatherInputs(options);
  await mkdir(options.outDir, { recursive: true });
  const path = join(options.outDir, `${files.IMAGE_NAME}-${inputs.key}.qcow2`);
  if (!options.force) {
    try {
      const manifest = JSON.parse(await readFile(manifestPath(path), 'utf8')) as GuestImage;
      const info = await stat(path);
      if (info.size === manifest.sizeBytes) return { ...manifest, path, built: false };
    } catch { /* not cached: build */ }
  }
  const work = await mkdtemp(join(options.outDir, '.build-'));
  try {
    const tmpTarget = join(work, 'image.qcow2');
    await buildInto(work, inputs, tmpTarget);
    const digest = await fileSha256(tmpTarget);
    const { size } = await stat(tmpTarget);
    const image: GuestImage = {
      path, sha256: digest, sizeBytes: size, virtualSizeBytes: DISK_MIB * 1024 * 1024, cacheKey: inputs.key,
      kernelVersion: inputs.kernelVersion, built: true,
    };
    await rename(tmpTarget, path);
    const tmpManifest = join(work, 'manifest.json');
    await writeFile(tmpManifest, `${JSON.stringify({ ...image, built: undefined }, null, 2)}\n`);
    await rename(tmpManifest, manifestPath(path));
    return image;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

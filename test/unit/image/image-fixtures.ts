// Real disk images for the format tests, made by the tools that make them in the wild: qemu-img
// (Debian qemu-utils) and xorriso. Tests that need a missing tool skip, saying which.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const QEMU_IMG = hasTool('qemu-img');
export const XORRISO = hasTool('xorriso');
export const NO_QEMU_IMG = QEMU_IMG ? false : 'qemu-img is not installed (Debian qemu-utils; scripts/install-deps.sh test installs it)';

export function tempDir(prefix: string): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `qemu-img create -f <format> [options] <path> <size>`; returns the path. */
export function qemuCreate(dir: string, name: string, format: string, size: string, extra: readonly string[] = []): string {
  const path = join(dir, name);
  execFileSync('qemu-img', ['create', '-q', '-f', format, ...extra, path, size], { cwd: dir, stdio: 'pipe' });
  return path;
}

/** What qemu-img itself says, to cross-check the inspector. */
export function qemuInfo(path: string, format?: string): { readonly format: string; readonly virtualSize: number } {
  const args = ['info', '--output=json', ...(format ? ['-f', format] : []), path];
  const info = JSON.parse(execFileSync('qemu-img', args, { encoding: 'utf8' })) as { format: string; 'virtual-size': number };
  return { format: info.format, virtualSize: info['virtual-size'] };
}

/** Overwrites bytes of a file in place. */
export function patchFile(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * An ISO 9660 image: xorriso's when installed, else one made by hand (system area, a primary
 * volume descriptor for `blocks` 2 KiB blocks, a terminator).
 */
export function makeIso(dir: string, name: string): { readonly path: string; readonly virtualSize: number } {
  const path = join(dir, name);
  if (XORRISO) {
    const content = join(dir, `${name}.d`);
    mkdirSync(content, { recursive: true });
    writeFileSync(join(content, 'hello.txt'), 'hello\n');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', path, content], { stdio: 'pipe' });
    const pvd = readFileSync(path).subarray(0x8000, 0x8800);
    return { path, virtualSize: pvd.readUInt32LE(80) * pvd.readUInt16LE(128) };
  }
  const blocks = 40;
  const image = Buffer.alloc(blocks * 2048);
  const pvd = image.subarray(0x8000, 0x8800);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'latin1');
  pvd[6] = 1;
  pvd.writeUInt32LE(blocks, 80);
  pvd.writeUInt32BE(blocks, 84);
  pvd.writeUInt16LE(2048, 128);
  pvd.writeUInt16BE(2048, 130);
  image[0x8800] = 255;
  image.write('CD001', 0x8801, 'latin1');
  writeFileSync(path, image);
  return { path, virtualSize: blocks * 2048 };
}

/** A legacy MBR with one partition of `type` (boot sector signature 0x55AA). */
export function mbrSector(type: number, boot = 0x80): Buffer {
  const mbr = Buffer.alloc(512);
  mbr[446] = boot;
  mbr[446 + 4] = type;
  mbr.writeUInt32LE(2048, 446 + 8);
  mbr.writeUInt32LE(4096, 446 + 12);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return mbr;
}

/** A GPT disk's first two sectors: the protective MBR and the "EFI PART" header. */
export function gptSectors(): Buffer {
  const mbr = mbrSector(0xee, 0x00);
  mbr.writeUInt32LE(1, 446 + 8);
  const header = Buffer.alloc(512);
  header.write('EFI PART', 0, 'latin1');
  return Buffer.concat([mbr, header]);
}

// The disk's own throughput for the image bench: `dd` writing a file with a final fsync (what an
// upload must do too) and `cat` reading it back, twice: cold (that one file's pages evicted
// first with `dd iflag=nocache count=0`, so the device is read; nothing else on the machine is
// dropped) and warm (straight from the page cache: the kernel's copy rate, not the device's).
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MiB = 1024 * 1024;

export async function ddWrite(path: string, bytes: number): Promise<number> {
  await rm(path, { force: true });
  const started = performance.now();
  await run('dd', ['if=/dev/zero', `of=${path}`, 'bs=1M', `count=${bytes / MiB}`, 'conv=fsync']);
  return mibPerSecond(bytes, started);
}

/** Drops one file's pages from the page cache (GNU dd's nocache: posix_fadvise DONTNEED). */
export async function evictFromCache(path: string): Promise<void> {
  await run('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
}

export async function catRead(path: string, bytes: number): Promise<number> {
  const started = performance.now();
  // The path travels as an argument, never inside the shell string.
  await run('sh', ['-c', 'cat "$1" > /dev/null', 'sh', path]);
  return mibPerSecond(bytes, started);
}

export function mibPerSecond(bytes: number, startedMs: number): number {
  return bytes / MiB / ((performance.now() - startedMs) / 1000);
}

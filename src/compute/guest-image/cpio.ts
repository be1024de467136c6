// A minimal, deterministic writer of the cpio "newc" format the kernel unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst). Written here rather than by
// cpio(1) so that inode numbers, owners, modes, mtimes and order are fixed by the caller: the
// same entries always give the same bytes.

export type CpioEntry =
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'file'; path: string; data: Buffer; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'char'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`cpio field out of range: ${n}`);
  return n.toString(16).padStart(8, '0');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

/** Normalises "/a/b/" → "a/b" (cpio archives for the kernel hold relative paths). */
export function cpioPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new Error(`bad cpio path ${JSON.stringify(path)}`);
  return parts.join('/');
}

function record(name: string, ino: number, mode: number, uid: number, gid: number, nlink: number, mtime: number,
  data: Buffer, rdevMajor = 0, rdevMinor = 0): Buffer[] {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const header = '070701' + [ino, mode, uid, gid, nlink, mtime, data.length, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0].map(hex8).join('');
  const head = Buffer.concat([Buffer.from(header, 'ascii'), nameBytes]);
  return [head, pad4(head.length), data, pad4(data.length)];
}

/**
 * The archive of `entries` (in the given order: parents before children), every entry with
 * mtime `mtime` (seconds), inode numbers 1, 2, … in order, and the TRAILER!!! record.
 */
export function buildCpio(entries: readonly CpioEntry[], mtime = 0): Buffer {
  const chunks: Buffer[] = [];
  const seen = new Set<string>();
  let ino = 0;
  for (const entry of entries) {
    const name = cpioPath(entry.path);
    if (seen.has(name)) throw new Error(`duplicate cpio entry ${name}`);
    seen.add(name);
    ino += 1;
    switch (entry.type) {
      case 'dir':
        chunks.push(...record(name, ino, S_IFDIR | (entry.mode ?? 0o755), entry.uid ?? 0, entry.gid ?? 0, 2, mtime, Buffer.alloc(0)));
        break;
      case 'file':
        chunks.push(...record(name, ino, S_IFREG | (entry.mode ?? 0o644), entry.uid ?? 0, entry.gid ?? 0, 1, mtime, entry.data));
        break;
      case 'symlink':
        chunks.push(...record(name, ino, S_IFLNK | 0o777, 0, 0, 1, mtime, Buffer.from(entry.target, 'utf8')));
        break;
      case 'char':
        chunks.push(...record(name, ino, S_IFCHR | (entry.mode ?? 0o600), 0, 0, 1, mtime, Buffer.alloc(0), entry.major, entry.minor));
        break;
    }
  }
  chunks.push(...record('TRAILER!!!', 0, 0, 0, 0, 1, 0, Buffer.alloc(0)));
  return Buffer.concat(chunks);
}

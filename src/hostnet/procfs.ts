// What /proc says about a pid: enough to tell "our daemon" from "some process that reused its pid".
import { readFile, stat } from 'node:fs/promises';

export interface ProcIdentity { argv: string[]; starttime: string; netnsInode: number | undefined }

/** argv, start time and network namespace of a live, non-zombie process; undefined otherwise. */
export async function procIdentity(pid: number): Promise<ProcIdentity | undefined> {
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const statLine = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is the 1st, starttime the 20th (comm may contain spaces/parens).
    const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === undefined || state === 'Z' || state === 'X') return undefined;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline === '') return undefined; // kernel thread or exiting
    return { argv: splitCmdline(cmdline), starttime: fields[19] ?? '', netnsInode: await inode(`/proc/${pid}/ns/net`) };
  } catch {
    return undefined; // gone (ENOENT/ESRCH) or not ours to read
  }
}

/**
 * Has the process finished dying? A process that is exiting loses its cmdline before it closes
 * its sockets, so "no cmdline" is not enough: wait for the zombie (or for the pid to vanish or be
 * reused, seen as a different start time).
 */
export async function procGone(pid: number, starttime: string): Promise<boolean> {
  try {
    const statLine = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' || fields[19] !== starttime;
  } catch {
    return true;
  }
}

export function splitCmdline(cmdline: string): string[] {
  const parts = cmdline.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Inode of a namespace file (/run/netns/X or /proc/<pid>/ns/net): equal inodes = same namespace. */
export async function inode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).ino;
  } catch {
    return undefined;
  }
}

export function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

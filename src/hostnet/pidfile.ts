// Pidfiles of supervised daemons: line 1 is the pid (so `kill $(head -1 x.pid)` works), line 2 a
// JSON record of what was started, used to re-identify the process after an agent restart.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface PidRecord { pid: number; argv?: string[]; netns?: string; starttime?: string }

export async function readPidfile(path: string): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const [first, second] = text.split('\n');
  const pid = Number(first?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const record: PidRecord = { pid };
  try {
    const meta: unknown = JSON.parse(second ?? '');
    if (typeof meta === 'object' && meta !== null) {
      const m = meta as Record<string, unknown>;
      if (Array.isArray(m.argv) && m.argv.every((a) => typeof a === 'string')) record.argv = m.argv as string[];
      if (typeof m.netns === 'string') record.netns = m.netns;
      if (typeof m.starttime === 'string') record.starttime = m.starttime;
    }
  } catch {
    // A bare pid (written by someone else): it can never be verified, so it is never adopted.
  }
  return record;
}

/** Write-then-rename, so a crash never leaves a half-written pidfile behind. */
export async function writePidfile(path: string, record: PidRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const { pid, ...meta } = record;
  await writeFile(tmp, `${pid}\n${JSON.stringify(meta)}\n`, { mode: 0o644 });
  await rename(tmp, path);
}

export async function removePidfile(path: string): Promise<void> {
  await rm(path, { force: true });
}

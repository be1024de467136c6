// Whether a process the test started still runs: alive and not a zombie (a child that exited is
// reaped by node a moment later; until then `kill -0` still succeeds).
import { readFileSync } from 'node:fs';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// Resident memory of another process from /proc/<pid>/status (Linux): VmRSS now, VmHWM its peak.
import { readFileSync } from 'node:fs';

export interface ProcMemory {
  /** Resident set size now, MB (2^20 bytes). */
  readonly rssMb: number;
  /** High-water mark of the resident set since the process started, MB. */
  readonly peakMb: number;
}

function fieldKb(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${name} line`);
  return Number(match[1]);
}

const toMb = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

export function readProcMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssMb: toMb(fieldKb(status, 'VmRSS')), peakMb: toMb(fieldKb(status, 'VmHWM')) };
}

/**
 * VmRSS once it stops moving (two readings 500 ms apart within 1 MB, at most 10 s): right after
 * start-up the process may still be finishing work (a first password hash, say) whose buffers
 * are freed a moment later, and that is not what it holds at rest.
 */
export async function settledProcMemory(pid: number): Promise<ProcMemory> {
  let previous = readProcMemory(pid);
  for (let waited = 0; waited < 10_000; waited += 500) {
    await new Promise((done) => setTimeout(done, 500));
    const current = readProcMemory(pid);
    if (Math.abs(current.rssMb - previous.rssMb) < 1) return current;
    previous = current;
  }
  return previous;
}

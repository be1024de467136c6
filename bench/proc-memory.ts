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

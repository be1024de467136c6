// What a compute host offers, read from files only (no commands): /proc/cpuinfo for the CPUs and
// their flags, /proc/meminfo for the memory, statfs(2) of the instances directory for the disk,
// and dpkg's status file for the installed QEMU's version (Nova's hypervisor_version encoding:
// major * 1,000,000 + minor * 1,000 + micro).
import { readFileSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { RESERVED_HOST_MEMORY_MB, type ComputeNodeUpdate } from '../conductor/protocol.js';

/** What the agent measures: the conductor's compute node record minus who sends it, plus CPU flags. */
export type HostResources = Omit<ComputeNodeUpdate, 'uuid' | 'host' | 'hypervisor_type'> & {
  /** Lower-case /proc/cpuinfo flags (for CPU traits). */
  readonly cpu_flags: readonly string[];
};

export interface HostResourceOptions {
  /** Where instance disks live; its filesystem's size is local_gb. */
  readonly instancesDir: string;
  /** Default: os.hostname(). */
  readonly hypervisorHostname?: string;
  readonly hostIp?: string | null;
  /** Default: read from files under /proc and /var/lib/dpkg. */
  readonly files?: { readonly cpuinfo?: string; readonly meminfo?: string; readonly dpkgStatus?: string };
}

export interface CpuInfo {
  readonly count: number;
  readonly vendor: string | undefined;
  readonly model: string | undefined;
  readonly flags: string[];
  readonly sockets: number;
  readonly coresPerSocket: number;
  readonly threadsPerCore: number;
}

/** Parses /proc/cpuinfo (x86 and most others: `key\t: value` blocks separated by blank lines). */
export function parseCpuinfo(text: string): CpuInfo {
  const blocks = text.split(/\n\s*\n/).map((b) => {
    const fields = new Map<string, string>();
    for (const line of b.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) fields.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    return fields;
  }).filter((f) => f.has('processor'));
  const first = blocks[0] ?? new Map<string, string>();
  const count = Math.max(1, blocks.length);
  const sockets = Math.max(1, new Set(blocks.map((b) => b.get('physical id') ?? '0')).size);
  const cores = Number(first.get('cpu cores') ?? NaN);
  const siblings = Number(first.get('siblings') ?? NaN);
  const coresPerSocket = Number.isInteger(cores) && cores > 0 ? cores : Math.max(1, Math.floor(count / sockets));
  const threadsPerCore = Number.isInteger(siblings) && siblings > 0 && Number.isInteger(cores) && cores > 0 ? Math.max(1, Math.floor(siblings / cores)) : 1;
  return {
    count,
    vendor: first.get('vendor_id') ?? first.get('cpu implementer'),
    model: first.get('model name') ?? first.get('cpu model'),
    flags: (first.get('flags') ?? first.get('features') ?? '').split(/\s+/).filter((f) => f !== '').map((f) => f.toLowerCase()),
    sockets, coresPerSocket, threadsPerCore,
  };
}

/** MemTotal and MemAvailable of /proc/meminfo, in MiB. */
export function parseMeminfo(text: string): { totalMb: number; availableMb: number } {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const total = kb('MemTotal') ?? 0;
  return { totalMb: Math.floor(total / 1024), availableMb: Math.floor((kb('MemAvailable') ?? kb('MemFree') ?? total) / 1024) };
}

/** The installed qemu-system package's upstream version, as Nova encodes it; 0 when unknown. */
export function qemuVersionFromDpkg(status: string): number {
  for (const para of status.split(/\n\n/)) {
    if (!/^Package: qemu-system-(x86|arm|misc|data)\b/m.test(para) || !/^Status: .*installed$/m.test(para)) continue;
    const m = /^Version: (?:\d+:)?(\d+)\.(\d+)(?:\.(\d+))?/m.exec(para);
    if (m) return Number(m[1]) * 1_000_000 + Number(m[2]) * 1000 + Number(m[3] ?? 0);
  }
  return 0;
}

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

const GIB = 1024 ** 3;

/** Reads the host's resources (what Nova's libvirt driver reports in get_available_resource). */
export function hostResources(options: HostResourceOptions): HostResources {
  const cpu = parseCpuinfo(read(options.files?.cpuinfo ?? '/proc/cpuinfo'));
  const mem = parseMeminfo(read(options.files?.meminfo ?? '/proc/meminfo'));
  const fs = statfsSync(options.instancesDir);
  const totalGb = Math.floor((fs.blocks * fs.bsize) / GIB);
  const freeGb = Math.floor((fs.bavail * fs.bsize) / GIB);
  const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
  return {
    hypervisor_hostname: options.hypervisorHostname ?? hostname(),
    hypervisor_version: qemuVersionFromDpkg(read(options.files?.dpkgStatus ?? '/var/lib/dpkg/status')),
    vcpus: cpu.count,
    memory_mb: Math.max(1, mem.totalMb),
    local_gb: totalGb,
    // The resource tracker's view: the reserved memory plus what instances use (none yet).
    vcpus_used: 0,
    memory_mb_used: RESERVED_HOST_MEMORY_MB,
    local_gb_used: 0,
    running_vms: 0,
    disk_available_least: freeGb,
    cpu_info: {
      arch,
      model: cpu.model ?? 'qemu64',
      vendor: cpu.vendor === 'GenuineIntel' ? 'Intel' : cpu.vendor === 'AuthenticAMD' ? 'AMD' : (cpu.vendor ?? 'unknown'),
      topology: { cells: 1, sockets: cpu.sockets, cores: cpu.coresPerSocket, threads: cpu.threadsPerCore },
      features: [...cpu.flags].sort(),
    },
    cpu_flags: cpu.flags,
    ...(options.hostIp !== undefined ? { host_ip: options.hostIp } : {}),
  };
}

// The conductor's RPC protocol (topic `conductor`), shared by the server (conductor.ts, which
// owns the database) and its callers (the compute agent, which never opens it). The bus is a
// trust boundary: every argument is parsed here before a handler touches the database, and
// anything malformed is refused with an Error naming the field.
import type { BusArgs } from '../../bus/index.js';
import { DASHED_UUID as UUID } from '../../core/ids.js';

export const CONDUCTOR_TOPIC = 'conductor';

/** The service binary and topic of a compute agent, as Nova names them. */
export const COMPUTE_BINARY = 'nova-compute';
export const COMPUTE_TOPIC = 'compute';

/** Nova's initial allocation ratios ([DEFAULT] initial_*_allocation_ratio). */
export const CPU_ALLOCATION_RATIO = 4.0;
export const RAM_ALLOCATION_RATIO = 1.0;
export const DISK_ALLOCATION_RATIO = 1.0;
/** [DEFAULT] reserved_host_memory_mb. */
export const RESERVED_HOST_MEMORY_MB = 512;

export interface ServiceUpdate {
  readonly host: string;
  readonly binary: string;
  readonly topic: string;
  readonly availability_zone?: string;
  readonly report_count?: number;
}

export interface ServiceUpdateResult {
  readonly id: number;
  readonly uuid: string;
  readonly disabled: boolean;
  readonly disabled_reason: string | null;
  readonly forced_down: boolean;
}

export interface ComputeNodeUpdate {
  readonly uuid: string;
  readonly host: string;
  readonly hypervisor_hostname: string;
  readonly hypervisor_type: 'QEMU';
  readonly hypervisor_version: number;
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly local_gb: number;
  readonly vcpus_used: number;
  readonly memory_mb_used: number;
  readonly local_gb_used: number;
  readonly running_vms: number;
  readonly disk_available_least: number | null;
  readonly cpu_info: Record<string, unknown>;
  readonly host_ip?: string | null;
}

export interface ComputeNodeUpdateResult {
  readonly id: number;
  readonly uuid: string;
}

export class ConductorArgumentError extends Error {
  constructor(method: string, message: string) {
    super(`${method}: ${message}`);
    this.name = 'ConductorArgumentError';
  }
}

/** Host names, binaries, topics and zones: short, printable, no path or shell surprises. */
const NAME = /^[A-Za-z0-9][\w.:@-]{0,254}$/;
const ZONE = /^[^\p{C},]{1,255}$/u;
/** Nova's columns are 32-bit (memory in MiB, disk in GiB). */
const MAX_INT = 2147483647;

function objectArgs(method: string, args: unknown): Record<string, unknown> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new ConductorArgumentError(method, 'arguments must be an object');
  return args as Record<string, unknown>;
}

function name(method: string, args: Record<string, unknown>, key: string): string {
  const v = args[key];
  if (typeof v !== 'string' || !NAME.test(v)) throw new ConductorArgumentError(method, `${key} must be a host-style name`);
  return v;
}

function count(method: string, args: Record<string, unknown>, key: string, options: { optional?: boolean; min?: number } = {}): number | undefined {
  const v = args[key];
  if (v === undefined && options.optional) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (options.min ?? 0) || v > MAX_INT) {
    throw new ConductorArgumentError(method, `${key} must be an integer between ${options.min ?? 0} and ${MAX_INT}`);
  }
  return v;
}

function only(method: string, args: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(args).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new ConductorArgumentError(method, `unexpected argument ${extra[0]!.slice(0, 64)}`);
}

/** service_update's arguments; throws ConductorArgumentError on anything malformed. */
export function parseServiceUpdate(raw: BusArgs | unknown): ServiceUpdate {
  const m = 'service_update';
  const args = objectArgs(m, raw);
  only(m, args, ['host', 'binary', 'topic', 'availability_zone', 'report_count']);
  const zone = args.availability_zone;
  if (zone !== undefined && zone !== null && (typeof zone !== 'string' || !ZONE.test(zone))) {
    throw new ConductorArgumentError(m, 'availability_zone must be a zone name');
  }
  const reportCount = count(m, args, 'report_count', { optional: true });
  const binary = name(m, args, 'binary');
  if (!binary.startsWith('nova-')) throw new ConductorArgumentError(m, 'binary must be a nova-* service');
  return {
    host: name(m, args, 'host'), binary, topic: name(m, args, 'topic'),
    ...(typeof zone === 'string' ? { availability_zone: zone } : {}),
    ...(reportCount !== undefined ? { report_count: reportCount } : {}),
  };
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/** compute_node_update's arguments; throws ConductorArgumentError on anything malformed. */
export function parseComputeNodeUpdate(raw: BusArgs | unknown): ComputeNodeUpdate {
  const m = 'compute_node_update';
  const args = objectArgs(m, raw);
  only(m, args, ['uuid', 'host', 'hypervisor_hostname', 'hypervisor_type', 'hypervisor_version', 'vcpus', 'memory_mb', 'local_gb',
    'vcpus_used', 'memory_mb_used', 'local_gb_used', 'running_vms', 'disk_available_least', 'cpu_info', 'host_ip']);
  const uuid = args.uuid;
  if (typeof uuid !== 'string' || !UUID.test(uuid)) throw new ConductorArgumentError(m, 'uuid must be a lower-case UUID');
  if (args.hypervisor_type !== 'QEMU') throw new ConductorArgumentError(m, "hypervisor_type must be 'QEMU'");
  const cpuInfo = args.cpu_info;
  if (typeof cpuInfo !== 'object' || cpuInfo === null || Array.isArray(cpuInfo)) throw new ConductorArgumentError(m, 'cpu_info must be an object');
  if (JSON.stringify(cpuInfo).length > 16384) throw new ConductorArgumentError(m, 'cpu_info is too large');
  const hostIp = args.host_ip;
  if (hostIp !== undefined && hostIp !== null && (typeof hostIp !== 'string' || !(IPV4.test(hostIp) || (hostIp.includes(':') && IPV6.test(hostIp))))) {
    throw new ConductorArgumentError(m, 'host_ip must be an IP address');
  }
  const least = args.disk_available_least;
  if (least !== undefined && least !== null && (typeof least !== 'number' || !Number.isSafeInteger(least) || Math.abs(least) > MAX_INT)) {
    throw new ConductorArgumentError(m, 'disk_available_least must be an integer or null');
  }
  return {
    uuid, host: name(m, args, 'host'), hypervisor_hostname: name(m, args, 'hypervisor_hostname'), hypervisor_type: 'QEMU',
    hypervisor_version: count(m, args, 'hypervisor_version')!,
    vcpus: count(m, args, 'vcpus', { min: 1 })!, memory_mb: count(m, args, 'memory_mb', { min: 1 })!, local_gb: count(m, args, 'local_gb')!,
    vcpus_used: count(m, args, 'vcpus_used')!, memory_mb_used: count(m, args, 'memory_mb_used')!, local_gb_used: count(m, args, 'local_gb_used')!,
    running_vms: count(m, args, 'running_vms')!,
    disk_available_least: typeof least === 'number' ? least : null,
    cpu_info: cpuInfo as Record<string, unknown>,
    ...(typeof hostIp === 'string' ? { host_ip: hostIp } : {}),
  };
}

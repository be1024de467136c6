// The compute agent's registration and heartbeat (nova-compute's service report and
// update_available_resource): on start and every reportIntervalMs it
//   1. calls the conductor's service_update (creates/refreshes its nova-compute service),
//   2. calls compute_node_update with the host's resources (the compute node row),
//   3. makes sure Placement has the node's resource provider (uuid = compute node uuid, name =
//      hypervisor_hostname) with VCPU / MEMORY_MB / DISK_GB inventory at Nova's default allocation
//      ratios and reservations, and the COMPUTE_* capability traits of the QEMU driver
//      (+ COMPUTE_STATUS_DISABLED while the service is disabled, as Nova does).
// The agent never opens the database. A failed report is logged and retried at the next tick;
// stop() clears the timer and waits for a report in progress.
import { createHash } from 'node:crypto';
import type { Bus } from '../../bus/index.js';
import type { Logger } from '../../core/logger.js';
import type { Inventories, PlacementClient } from '../../core/clients/index.js';
import {
  COMPUTE_BINARY, COMPUTE_TOPIC, CONDUCTOR_TOPIC, CPU_ALLOCATION_RATIO, DISK_ALLOCATION_RATIO, RAM_ALLOCATION_RATIO,
  RESERVED_HOST_MEMORY_MB, type ComputeNodeUpdate, type ServiceUpdateResult,
} from '../conductor/protocol.js';
import type { HostResources } from './host-resources.js';

export interface ComputeAgentOptions {
  readonly bus: Bus;
  /** The service host name (`openstack compute service list`'s Host). */
  readonly host: string;
  readonly placement: PlacementClient;
  /** Read on every report. */
  readonly resources: () => HostResources | Promise<HostResources>;
  /** Nova's report_interval is 10 s. */
  readonly reportIntervalMs?: number;
  /** The compute node's uuid (= its resource provider); default: derived from host + hypervisor_hostname. */
  readonly nodeUuid?: string;
  readonly availabilityZone?: string;
  readonly logger?: Logger;
  /** Per conductor call. */
  readonly callTimeoutMs?: number;
}

/** The capability traits of the QEMU driver (what Nova's libvirt driver reports for QEMU/KVM). */
export const QEMU_DRIVER_TRAITS: readonly string[] = [
  'COMPUTE_NODE', 'COMPUTE_HYPERVISOR_QEMU', 'COMPUTE_DEVICE_TAGGING', 'COMPUTE_NET_ATTACH_INTERFACE',
  'COMPUTE_NET_ATTACH_INTERFACE_WITH_TAG', 'COMPUTE_NET_VIF_MODEL_VIRTIO', 'COMPUTE_NET_VIF_MODEL_E1000',
  'COMPUTE_NET_VIF_MODEL_E1000E', 'COMPUTE_NET_VIF_MODEL_RTL8139', 'COMPUTE_IMAGE_TYPE_QCOW2', 'COMPUTE_IMAGE_TYPE_RAW',
  'COMPUTE_IMAGE_TYPE_ISO', 'COMPUTE_STORAGE_BUS_VIRTIO', 'COMPUTE_STORAGE_BUS_SATA', 'COMPUTE_STORAGE_BUS_IDE',
  'COMPUTE_STORAGE_BUS_SCSI', 'COMPUTE_STORAGE_BUS_USB', 'COMPUTE_GRAPHICS_MODEL_VGA', 'COMPUTE_GRAPHICS_MODEL_VIRTIO',
  'COMPUTE_GRAPHICS_MODEL_CIRRUS', 'COMPUTE_GRAPHICS_MODEL_NONE', 'COMPUTE_FIRMWARE_BIOS', 'COMPUTE_TRUSTED_CERTS',
  'COMPUTE_CONFIG_DRIVE_REGENERATION', 'COMPUTE_SAME_HOST_COLD_MIGRATE',
];

/** /proc/cpuinfo flags → os-traits CPU traits. */
const CPU_FLAG_TRAITS: Readonly<Record<string, string>> = {
  sse: 'HW_CPU_X86_SSE', sse2: 'HW_CPU_X86_SSE2', pni: 'HW_CPU_X86_SSE3', ssse3: 'HW_CPU_X86_SSSE3',
  sse4_1: 'HW_CPU_X86_SSE41', sse4_2: 'HW_CPU_X86_SSE42', avx: 'HW_CPU_X86_AVX', avx2: 'HW_CPU_X86_AVX2',
  aes: 'HW_CPU_X86_AES', vmx: 'HW_CPU_X86_VMX', svm: 'HW_CPU_X86_SVM', mmx: 'HW_CPU_X86_MMX',
};

const ARCH_TRAITS: Readonly<Record<string, string>> = { x86_64: 'COMPUTE_ARCH_X86_64', aarch64: 'COMPUTE_ARCH_AARCH64' };

/** A stable uuid for a node (name-based, version 5 layout), so restarts keep their provider. */
export function nodeUuidFor(host: string, hypervisorHostname: string): string {
  const h = createHash('sha1').update(`nimbus-compute-node\0${host}\0${hypervisorHostname}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Nova's inventory for a compute node (resource tracker + libvirt driver's update_provider_tree). */
export function inventoryFor(r: HostResources): Inventories {
  const inv: Record<string, { total: number; reserved: number; min_unit: number; max_unit: number; step_size: number; allocation_ratio: number }> = {
    VCPU: { total: r.vcpus, reserved: 0, min_unit: 1, max_unit: r.vcpus, step_size: 1, allocation_ratio: CPU_ALLOCATION_RATIO },
    MEMORY_MB: {
      total: r.memory_mb, reserved: Math.min(RESERVED_HOST_MEMORY_MB, r.memory_mb), min_unit: 1, max_unit: r.memory_mb, step_size: 1,
      allocation_ratio: RAM_ALLOCATION_RATIO,
    },
  };
  // Placement refuses a total of 0; a host without usable disk offers none.
  if (r.local_gb > 0) inv.DISK_GB = { total: r.local_gb, reserved: 0, min_unit: 1, max_unit: r.local_gb, step_size: 1, allocation_ratio: DISK_ALLOCATION_RATIO };
  return inv;
}

/** The traits of a node: the driver's, its arch, its CPU flags, and whether it is disabled. */
export function traitsFor(r: HostResources, disabled: boolean): string[] {
  const traits = new Set(QEMU_DRIVER_TRAITS);
  const arch = ARCH_TRAITS[String(r.cpu_info.arch)];
  if (arch) traits.add(arch);
  for (const flag of r.cpu_flags) {
    const t = CPU_FLAG_TRAITS[flag];
    if (t) traits.add(t);
  }
  if (disabled) traits.add('COMPUTE_STATUS_DISABLED');
  return [...traits].sort();
}

export class ComputeAgent {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #reportCount = 0;
  /** The node uuid, fixed on the first report. */
  #nodeUuid: string | undefined;
  /** Completed reports, for tests and logs. */
  reports = 0;
  lastError: unknown;
  /** The service row as the conductor last returned it. */
  service: ServiceUpdateResult | undefined;

  constructor(private readonly options: ComputeAgentOptions) {
    this.#nodeUuid = options.nodeUuid;
  }

  get nodeUuid(): string | undefined {
    return this.#nodeUuid;
  }

  /** Reports once (throwing if that fails: a misconfigured agent should not start), then periodically. */
  async start(): Promise<void> {
    if (this.#timer !== undefined || this.#stopped) return;
    await this.reportNow();
    if (this.lastError !== undefined) throw this.lastError;
    this.#timer = setInterval(() => void this.reportNow(), this.options.reportIntervalMs ?? 10_000);
    this.#timer.unref?.();
  }

  /** One report (joining one in progress); errors are kept in lastError and logged, never thrown. */
  async reportNow(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = this.#report().finally(() => { this.#running = undefined; });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #report(): Promise<void> {
    const { bus, host, placement } = this.options;
    const call = (method: string, args: Record<string, unknown>) =>
      bus.call({ topic: CONDUCTOR_TOPIC }, method, args, this.options.callTimeoutMs !== undefined ? { timeoutMs: this.options.callTimeoutMs } : {});
    try {
      this.#reportCount += 1;
      this.service = await call('service_update', {
        host, binary: COMPUTE_BINARY, topic: COMPUTE_TOPIC, report_count: this.#reportCount,
        ...(this.options.availabilityZone !== undefined ? { availability_zone: this.options.availabilityZone } : {}),
      }) as ServiceUpdateResult;
      const r = await this.options.resources();
      const uuid = this.#nodeUuid ??= nodeUuidFor(host, r.hypervisor_hostname);
      const node: ComputeNodeUpdate = {
        uuid, host, hypervisor_hostname: r.hypervisor_hostname, hypervisor_type: 'QEMU', hypervisor_version: r.hypervisor_version,
        vcpus: r.vcpus, memory_mb: r.memory_mb, local_gb: r.local_gb, vcpus_used: r.vcpus_used, memory_mb_used: r.memory_mb_used,
        local_gb_used: r.local_gb_used, running_vms: r.running_vms, disk_available_least: r.disk_available_least, cpu_info: r.cpu_info,
        ...(r.host_ip !== undefined ? { host_ip: r.host_ip } : {}),
      };
      await call('compute_node_update', { ...node });
      await placement.ensureResourceProvider(uuid, r.hypervisor_hostname);
      await placement.setInventories(uuid, inventoryFor(r));
      await placement.setProviderTraits(uuid, traitsFor(r, this.service.disabled));
      this.reports += 1;
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err;
      this.options.logger?.warn({ err, host }, 'compute agent report failed');
    }
  }
}

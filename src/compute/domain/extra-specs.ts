// Flavor extra spec validation from microversion 2.86 (nova/api/validation/extra_specs/), light:
// the validators of the namespaces Nimbus' scheduler and QEMU driver care about (hw, hw_rng,
// hw_video, resources, trait, pci_passthrough, accel, aggregate_instance_extra_specs and the
// un-namespaced ones). A key with a registered validator must have a valid value; a key in one of
// those namespaces without one is refused ("does not appear to be a valid extra spec"); keys in
// other namespaces (quota:, os:, capabilities:, vmware:, …) and without a namespace pass
// unchecked. Messages are Nova's.
import { badRequest } from '../../core/errors.js';

type ValueRule =
  | { readonly type: 'bool' }
  | { readonly type: 'int'; readonly min?: number; readonly max?: number }
  | { readonly type: 'str'; readonly enum?: readonly string[]; readonly pattern?: string };

interface Validator {
  /** Human form, e.g. hw:numa_cpus.{id}. */
  readonly name: string;
  readonly regex: RegExp;
  readonly value: ValueRule;
}

const CPU_MASK = '\\^?[0-9]+(?:-[0-9]+)?(?:,\\^?[0-9]+(?:-[0-9]+)?)*';
const GROUP = '([a-zA-Z0-9_-]{1,64})?';

function validator(name: string, value: ValueRule, params: Readonly<Record<string, string>> = {}): Validator {
  let regex = name.replace(/[.^$*+?()[\]|\\]/g, '\\$&');
  for (const [param, pattern] of Object.entries(params)) regex = regex.replace(`{${param}}`, `(?:${pattern})`);
  return { name, regex: new RegExp(`^${regex}$`), value };
}

const bool: ValueRule = { type: 'bool' };
const int = (min?: number, max?: number): ValueRule => ({ type: 'int', ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) });
const oneOf = (...values: string[]): ValueRule => ({ type: 'str', enum: values });
const matching = (pattern: string): ValueRule => ({ type: 'str', pattern });
const anyString: ValueRule = { type: 'str' };

const STANDARD_RESOURCE_CLASSES = [
  'VCPU', 'MEMORY_MB', 'DISK_GB', 'PCI_DEVICE', 'SRIOV_NET_VF', 'NUMA_SOCKET', 'NUMA_CORE', 'NUMA_THREAD', 'NUMA_MEMORY_MB',
  'IPV4_ADDRESS', 'VGPU', 'VGPU_DISPLAY_HEAD', 'NET_BW_EGR_KILOBIT_PER_SEC', 'NET_BW_IGR_KILOBIT_PER_SEC', 'PCPU',
  'MEM_ENCRYPTION_CONTEXT', 'FPGA', 'PGPU', 'NET_PACKET_RATE_KILOPACKET_PER_SEC', 'NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC',
  'NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC',
];

const VALIDATORS: readonly Validator[] = [
  // hw: (hw.py)
  validator('hw:cpu_realtime', bool),
  validator('hw:cpu_realtime_mask', matching(CPU_MASK)),
  validator('hw:hide_hypervisor_id', bool),
  validator('hw:cpu_policy', oneOf('dedicated', 'shared', 'mixed')),
  validator('hw:cpu_thread_policy', oneOf('prefer', 'isolate', 'require')),
  validator('hw:emulator_threads_policy', oneOf('isolate', 'share')),
  validator('hw:cpu_dedicated_mask', matching(CPU_MASK)),
  validator('hw:mem_page_size', matching('(large|small|any|[0-9]+([kKMGT]i?)?(b|bit|B)?)')),
  validator('hw:locked_memory', bool),
  validator('hw:numa_nodes', int(1)),
  validator('hw:numa_cpus.{num}', matching(CPU_MASK), { num: '[0-9]+' }),
  validator('hw:numa_mem.{num}', int(0), { num: '[0-9]+' }),
  validator('hw:pci_numa_affinity_policy', oneOf('required', 'preferred', 'legacy', 'socket')),
  validator('hw:cpu_sockets', int(1)),
  validator('hw:cpu_cores', int(1)),
  validator('hw:cpu_threads', int(1)),
  validator('hw:max_cpu_sockets', int(1)),
  validator('hw:max_cpu_cores', int(1)),
  validator('hw:max_cpu_threads', int(1)),
  validator('hw:boot_menu', bool),
  validator('hw:vif_multiqueue_enabled', bool),
  validator('hw:mem_encryption', bool),
  validator('hw:pmu', bool),
  validator('hw:serial_port_count', int(0)),
  validator('hw:tpm_version', oneOf('1.2', '2.0')),
  validator('hw:tpm_model', oneOf('tpm-tis', 'tpm-crb')),
  validator('hw:watchdog_action', oneOf('none', 'pause', 'poweroff', 'reset', 'disabled')),
  validator('hw:viommu_model', oneOf('intel', 'smmuv3', 'virtio', 'auto')),
  validator('hw:virtio_packed_ring', bool),
  validator('hw:vpmem', matching('(?:[a-zA-Z0-9_]+(?:,[a-zA-Z0-9_]+)*)?')),
  validator('hw:ephemeral_encryption', bool),
  validator('hw:ephemeral_encryption_format', oneOf('luks', 'plain')),
  validator('hw:maxphysaddr_mode', oneOf('emulate', 'passthrough')),
  validator('hw:maxphysaddr_bits', int(1)),
  // hw_rng:, hw_video:
  validator('hw_rng:allowed', bool),
  validator('hw_rng:rate_bytes', int(0)),
  validator('hw_rng:rate_period', int(0)),
  validator('hw_video:ram_max_mb', int(0)),
  // resources{group}:{class}, trait{group}:{trait}
  ...STANDARD_RESOURCE_CLASSES.map((rc) => validator(`resources{group}:${rc}`, int(0), { group: GROUP })),
  validator('resources{group}:CUSTOM_{resource}', int(0), { group: GROUP, resource: '[A-Z0-9_]+' }),
  validator('trait{group}:{trait}', oneOf('required', 'forbidden'), { group: GROUP, trait: '[A-Z0-9_]+' }),
  // others
  validator('aggregate_instance_extra_specs:{key}', anyString, { key: '.+' }),
  validator('pci_passthrough:alias', matching('[^:]+:[0-9]+(?:\\s*,\\s*[^:]+:[0-9]+)*')),
  validator('accel:device_profile', anyString),
  validator('hide_hypervisor_id', bool),
  validator('group_policy', oneOf('isolate', 'none')),
];

const BY_NAME = new Map(VALIDATORS.map((v) => [v.name, v]));

/** Namespaces where an unregistered key is an error. */
const NAMESPACES: readonly RegExp[] = [
  /^hw$/, /^hw_rng$/, /^hw_video$/, new RegExp(`^resources${GROUP}$`), new RegExp(`^trait${GROUP}$`),
  /^aggregate_instance_extra_specs$/, /^pci_passthrough$/, /^accel$/,
];

const fail = (message: string): never => {
  throw badRequest(message);
};

function checkValue(rule: ValueRule, value: string): void {
  if (rule.type === 'bool') {
    if (!['1', 't', 'true', 'on', 'y', 'yes', '0', 'f', 'false', 'off', 'n', 'no'].includes(value.trim().toLowerCase())) {
      fail(`Validation failed; '${value}' is not a valid boolean-like value.`);
    }
    return;
  }
  if (rule.type === 'int') {
    if (!/^\s*[-+]?[0-9]+\s*$/.test(value)) fail(`Validation failed; '${value}' is not a valid integer value.`);
    const n = Number(value);
    if (rule.max !== undefined && rule.max < n) fail(`Validation failed; '${value}' is greater than the max value of '${rule.max}'.`);
    if (rule.min !== undefined && rule.min > n) fail(`Validation failed; '${value}' is less than the min value of '${rule.min}'.`);
    return;
  }
  if (rule.pattern !== undefined) {
    if (!new RegExp(`^(?:${rule.pattern})$`).test(value)) fail(`Validation failed; '${value}' is not of the format '${rule.pattern}'.`);
  } else if (rule.enum !== undefined && !rule.enum.includes(value)) {
    fail(`Validation failed; '${value}' is not one of: ${rule.enum.join(', ')}.`);
  }
}

/** validators.validate(name, value): throws Nova's 400 when the spec is refused. */
export function validateExtraSpec(name: string, value: string): void {
  const known = BY_NAME.get(name) ?? VALIDATORS.find((v) => v.regex.test(name));
  if (known !== undefined) {
    checkValue(known.value, value);
    return;
  }
  if (!name.includes(':')) return;
  const namespace = name.split(':', 1)[0]!;
  if (!NAMESPACES.some((ns) => ns.test(namespace))) return;
  fail(`Validation failed; extra spec '${name}' does not appear to be a valid extra spec.`);
}

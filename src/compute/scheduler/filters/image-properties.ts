// ImagePropertiesFilter: an image asking for an architecture, hypervisor type or VM mode only
// lands on a host that supports that combination. Our hosts run QEMU (with KVM when available)
// full virtualisation on their own architecture.
import type { HostState } from '../host-state.js';
import type { HostFilter } from './filter.js';

// nova.objects.fields.Architecture.canonicalize's aliases.
const ARCH_ALIASES: Record<string, string> = { amd64: 'x86_64', x64: 'x86_64', i386: 'i686', i486: 'i686', i586: 'i686', ia32: 'i686', arm64: 'aarch64' };
const VM_MODE_ALIASES: Record<string, string> = { hv: 'hvm', baremetal: 'hvm', pv: 'xen', hvm: 'hvm' };
const HV_ALIASES: Record<string, string> = { xapi: 'xen' };

function canon(value: unknown, aliases: Record<string, string>): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const v = value.toLowerCase();
  return aliases[v] ?? v;
}

/** The (arch, hv_type, vm_mode) triples a host supports (the driver's supported_instances). */
export function supportedInstances(host: HostState): [string, string, string][] {
  const arch = canon(host.cpuArch, ARCH_ALIASES) ?? 'x86_64';
  return [[arch, 'qemu', 'hvm'], [arch, 'kvm', 'hvm']];
}

export const imagePropertiesFilter: HostFilter = {
  name: 'ImagePropertiesFilter',
  hostPasses: (host, { spec }) => {
    const props = spec.image.properties;
    const wanted = [
      canon(props.hw_architecture ?? props.architecture, ARCH_ALIASES),
      canon(props.img_hv_type ?? props.hypervisor_type, HV_ALIASES),
      canon(props.hw_vm_mode ?? props.vm_mode, VM_MODE_ALIASES),
    ];
    if (wanted.every((w) => w === undefined)) return true;
    return supportedInstances(host).some((triple) => wanted.every((w, i) => w === undefined || w === triple[i]));
  },
};

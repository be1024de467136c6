// The os-resource-classes standard classes, in the library's order: a class's position is its
// id, as placement's resource class cache numbers them. Custom classes start at CUSTOM_ID_BASE.
export const STANDARD_RESOURCE_CLASSES: readonly string[] = [
  'VCPU', 'MEMORY_MB', 'DISK_GB', 'PCI_DEVICE', 'SRIOV_NET_VF', 'NUMA_SOCKET', 'NUMA_CORE', 'NUMA_THREAD',
  'NUMA_MEMORY_MB', 'IPV4_ADDRESS', 'VGPU', 'VGPU_DISPLAY_HEAD', 'NET_BW_EGR_KILOBIT_PER_SEC',
  'NET_BW_IGR_KILOBIT_PER_SEC', 'PCPU', 'MEM_ENCRYPTION_CONTEXT', 'FPGA', 'PGPU',
  'NET_PACKET_RATE_KILOPACKET_PER_SEC', 'NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC',
  'NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC',
];

/** First id handed to a custom resource class or trait (placement's own offset). */
export const CUSTOM_ID_BASE = 10000;

export const CUSTOM_PREFIX = 'CUSTOM_';

export function isCustomName(name: string): boolean {
  return name.startsWith(CUSTOM_PREFIX);
}

export { ComputeAgent, inventoryFor, nodeUuidFor, QEMU_DRIVER_TRAITS, traitsFor, type ComputeAgentOptions } from './compute-agent.js';
export { hostResources, parseCpuinfo, parseMeminfo, qemuVersionFromDpkg, type HostResourceOptions, type HostResources } from './host-resources.js';

// Public surface of hostnet: the only code in Nimbus that touches the kernel.
export { HostnetError, run, type RunOptions } from './exec.js';
export { HostnetInputError, assertIfName, assertNetnsName } from './names.js';
export { listNetns, ensureNetns, deleteNetns, netnsPids } from './netns.js';
export { NetnsHost, type LinkInfo, type AddressInfo, type RouteInfo, type FdbEntry, type NeighEntry } from './host.js';
export { Daemons, type DaemonSpec } from './daemons.js';
export { probeKernel, type KernelCapabilities } from './capabilities.js';

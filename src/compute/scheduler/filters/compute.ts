// ComputeFilter: only hosts whose nova-compute service is enabled and up.
import type { HostFilter } from './filter.js';

export const computeFilter: HostFilter = {
  name: 'ComputeFilter',
  hostPasses: (host) => !host.serviceDisabled && host.serviceUp,
};

// SameHostFilter / DifferentHostFilter: the same_host / different_host scheduler hints name
// instances; the host must hold one of them / none of them.
import type { HostFilter } from './filter.js';

export const sameHostFilter: HostFilter = {
  name: 'SameHostFilter',
  hostPasses: (host, { spec }) => {
    const uuids = spec.scheduler_hints.same_host ?? [];
    return uuids.length === 0 || uuids.some((u) => host.instances.has(u));
  },
};

export const differentHostFilter: HostFilter = {
  name: 'DifferentHostFilter',
  hostPasses: (host, { spec }) => !(spec.scheduler_hints.different_host ?? []).some((u) => host.instances.has(u)),
};

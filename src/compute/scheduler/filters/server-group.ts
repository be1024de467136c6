// ServerGroupAffinityFilter / ServerGroupAntiAffinityFilter (hard policies only; the soft ones
// are weighers). Affinity: once a member has a host, every other member goes there. Anti-
// affinity: fewer than max_server_per_host (default 1) members on the host.
import type { HostFilter } from './filter.js';

export const serverGroupAffinityFilter: HostFilter = {
  name: 'ServerGroupAffinityFilter',
  hostPasses: (host, { group }) => {
    if (!group || group.policy !== 'affinity') return true;
    return group.hosts.size === 0 || group.hosts.has(host.host);
  },
};

export const serverGroupAntiAffinityFilter: HostFilter = {
  name: 'ServerGroupAntiAffinityFilter',
  hostPasses: (host, { group }) => {
    if (!group || group.policy !== 'anti-affinity') return true;
    let onHost = 0;
    for (const uuid of host.instances) if (group.members.has(uuid)) onHost += 1;
    return onHost < group.maxServerPerHost;
  },
};

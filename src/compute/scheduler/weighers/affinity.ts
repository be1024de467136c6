// ServerGroupSoftAffinityWeigher / ServerGroupSoftAntiAffinityWeigher: for soft-(anti-)affinity
// groups, prefer hosts with more (fewer) members of the group.
import type { FilterContext } from '../filters/filter.js';
import type { HostState } from '../host-state.js';
import type { HostWeigher } from './weigher.js';

function membersOnHost(host: HostState, ctx: FilterContext): number {
  if (!ctx.group) return 0;
  let n = 0;
  for (const uuid of host.instances) if (ctx.group.members.has(uuid)) n += 1;
  return n;
}

export const softAffinityWeigher: HostWeigher = {
  name: 'ServerGroupSoftAffinityWeigher',
  multiplier: (c) => c.softAffinityWeightMultiplier,
  weigh: (h, ctx) => (ctx.group?.policy === 'soft-affinity' ? membersOnHost(h, ctx) : 0),
};

export const softAntiAffinityWeigher: HostWeigher = {
  name: 'ServerGroupSoftAntiAffinityWeigher',
  multiplier: (c) => c.softAntiAffinityWeightMultiplier,
  weigh: (h, ctx) => (ctx.group?.policy === 'soft-anti-affinity' ? -membersOnHost(h, ctx) : 0),
};

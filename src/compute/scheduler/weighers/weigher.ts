// Host weighers (nova.weights / nova.scheduler.weights): each weigher's raw values over the
// filtered hosts are normalised to [0, 1] (min-max; all equal → all 0), multiplied by the
// weigher's multiplier and summed; hosts are then sorted by that sum, highest first (stable, so
// ties keep Placement's order).
import type { SchedulerConfig } from '../../config.js';
import type { FilterContext } from '../filters/filter.js';
import type { HostState } from '../host-state.js';

export interface HostWeigher {
  readonly name: string;
  multiplier(config: SchedulerConfig): number;
  weigh(host: HostState, ctx: FilterContext): number;
}

export interface WeighedHost {
  readonly state: HostState;
  readonly weight: number;
}

/** nova.weights.normalize. */
export function normalize(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (min === max) return values.map(() => 0);
  return values.map((v) => (v - min) / (max - min));
}

export function weighHosts(hosts: readonly HostState[], ctx: FilterContext, weighers: readonly HostWeigher[], config: SchedulerConfig): WeighedHost[] {
  const totals = hosts.map(() => 0);
  for (const w of weighers) {
    const m = w.multiplier(config);
    if (m === 0) continue;
    normalize(hosts.map((h) => w.weigh(h, ctx))).forEach((n, i) => { totals[i]! += m * n; });
  }
  return hosts.map((state, i) => ({ state, weight: totals[i]! }))
    .map((h, i) => ({ h, i }))
    .sort((a, b) => b.h.weight - a.h.weight || a.i - b.i)
    .map(({ h }) => h);
}

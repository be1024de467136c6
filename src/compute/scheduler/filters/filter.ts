// A host filter (nova.scheduler.filters.BaseHostFilter): host_passes(host_state, spec_obj).
import type { GroupState, HostState } from '../host-state.js';
import type { RequestSpec } from '../request-spec.js';

export interface FilterContext {
  readonly spec: RequestSpec;
  readonly group?: GroupState | undefined;
  /** [DEFAULT] default_availability_zone: the zone of hosts outside any zoned aggregate. */
  readonly defaultAvailabilityZone: string;
}

export interface HostFilter {
  readonly name: string;
  hostPasses(host: HostState, ctx: FilterContext): boolean;
}

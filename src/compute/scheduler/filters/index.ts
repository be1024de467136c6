// The enabled filters ([filter_scheduler] enabled_filters), in Nova's default order, plus the
// hint filters Nimbus enables by default.
import { aggregateInstanceExtraSpecsFilter } from './aggregate-extra-specs.js';
import { availabilityZoneFilter } from './availability-zone.js';
import { computeFilter } from './compute.js';
import type { HostFilter } from './filter.js';
import { imagePropertiesFilter } from './image-properties.js';
import { differentHostFilter, sameHostFilter } from './same-different-host.js';
import { serverGroupAffinityFilter, serverGroupAntiAffinityFilter } from './server-group.js';

export type { FilterContext, HostFilter } from './filter.js';

export const DEFAULT_FILTERS: readonly HostFilter[] = [
  computeFilter, availabilityZoneFilter, imagePropertiesFilter, serverGroupAntiAffinityFilter, serverGroupAffinityFilter,
  aggregateInstanceExtraSpecsFilter, sameHostFilter, differentHostFilter,
];

export {
  aggregateInstanceExtraSpecsFilter, availabilityZoneFilter, computeFilter, differentHostFilter, imagePropertiesFilter,
  sameHostFilter, serverGroupAffinityFilter, serverGroupAntiAffinityFilter,
};

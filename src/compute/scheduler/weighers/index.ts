import { softAffinityWeigher, softAntiAffinityWeigher } from './affinity.js';
import { buildFailureWeigher } from './build-failure.js';
import { cpuWeigher, diskWeigher, ramWeigher } from './resources.js';
import type { HostWeigher } from './weigher.js';

export { normalize, weighHosts, type HostWeigher, type WeighedHost } from './weigher.js';
export { buildFailureWeigher, cpuWeigher, diskWeigher, ramWeigher, softAffinityWeigher, softAntiAffinityWeigher };

/** [filter_scheduler] weight_classes = all weighers Nimbus has. */
export const DEFAULT_WEIGHERS: readonly HostWeigher[] = [
  ramWeigher, cpuWeigher, diskWeigher, buildFailureWeigher, softAffinityWeigher, softAntiAffinityWeigher,
];

// BuildFailureWeigher: a host whose recent builds failed sinks (−failures, with a huge multiplier
// so that it only wins when nothing else is left).
import type { HostWeigher } from './weigher.js';

export const buildFailureWeigher: HostWeigher = {
  name: 'BuildFailureWeigher', multiplier: (c) => c.buildFailureWeightMultiplier, weigh: (h) => -h.failedBuilds,
};

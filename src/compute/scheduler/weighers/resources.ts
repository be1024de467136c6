// RAMWeigher, CPUWeigher, DiskWeigher: more free → higher (spread) with a positive multiplier;
// a negative multiplier packs.
import type { HostWeigher } from './weigher.js';

export const ramWeigher: HostWeigher = {
  name: 'RAMWeigher', multiplier: (c) => c.ramWeightMultiplier, weigh: (h) => h.freeRamMb,
};

export const cpuWeigher: HostWeigher = {
  name: 'CPUWeigher', multiplier: (c) => c.cpuWeightMultiplier, weigh: (h) => h.freeVcpus,
};

export const diskWeigher: HostWeigher = {
  name: 'DiskWeigher', multiplier: (c) => c.diskWeightMultiplier, weigh: (h) => h.freeDiskMb,
};

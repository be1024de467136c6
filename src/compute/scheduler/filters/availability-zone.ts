// AvailabilityZoneFilter: the requested zone must be one of the host's aggregate zones, or the
// default zone for a host in none.
import type { HostFilter } from './filter.js';

export const availabilityZoneFilter: HostFilter = {
  name: 'AvailabilityZoneFilter',
  hostPasses: (host, { spec, defaultAvailabilityZone }) => {
    const zone = spec.availability_zone;
    if (!zone) return true;
    return host.availabilityZones.length > 0 ? host.availabilityZones.includes(zone) : zone === defaultAvailabilityZone;
  },
};

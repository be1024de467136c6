import { IpamError, invalidAttribute, invalidInput } from './errors.js';
import { formatCidr, tryParseCidrLoose } from './cidr.js';
import { formatIp, tryParseIp } from './ip-address.js';
import type { IpVersion } from './ip-address.js';

/** Neutron's `max_subnet_host_routes` default. */
export const DEFAULT_MAX_HOST_ROUTES = 20;

export interface HostRoute {
  readonly destination: string;
  readonly nexthop: string;
}

function repr(r: HostRoute): string {
  return `{'destination': '${String(r.destination)}', 'nexthop': '${String(r.nexthop)}'}`;
}

/**
 * neutron_lib's `validate_hostroutes` (destination a CIDR, nexthop an address,
 * no duplicates) then `_validate_subnet`'s count and version checks. Returns
 * the routes in canonical form.
 */
export function validateHostRoutes(
  routes: readonly HostRoute[],
  ipVersion: IpVersion,
  opts: { readonly max?: number; readonly subnetId?: string } = {},
): HostRoute[] {
  const seen = new Set<string>();
  const out: HostRoute[] = [];
  for (const route of routes) {
    const dest = tryParseCidrLoose(route?.destination);
    if (!dest || !dest.hasPrefix) {
      throw invalidAttribute('host_routes', `'${String(route?.destination)}' is not a valid IP subnet`);
    }
    const hop = tryParseIp(route.nexthop);
    if (!hop) throw invalidAttribute('host_routes', `'${String(route.nexthop)}' is not a valid IP address`);
    const canonical = { destination: formatCidr(dest.cidr), nexthop: formatIp(hop) };
    const key = `${canonical.destination}_${canonical.nexthop}`;
    if (seen.has(key)) throw invalidAttribute('host_routes', `Duplicate hostroute '${repr(route)}'`);
    seen.add(key);
    out.push(canonical);
  }
  const max = opts.max ?? DEFAULT_MAX_HOST_ROUTES;
  if (out.length > max) {
    throw new IpamError(
      'HostRoutesExhausted',
      `Unable to complete operation for ${opts.subnetId ?? 'new subnet'}. ` +
        `The number of host routes exceeds the limit ${max}.`,
    );
  }
  for (const [i, route] of out.entries()) {
    const raw = routes[i];
    if (tryParseIp(route.nexthop)?.version !== ipVersion) {
      throw invalidInput(`nexthop '${raw?.nexthop}' does not match the ip_version '${ipVersion}'`);
    }
    if (tryParseCidrLoose(route.destination)?.cidr.version !== ipVersion) {
      throw invalidInput(`destination '${raw?.destination}' does not match the ip_version '${ipVersion}'`);
    }
  }
  return out;
}

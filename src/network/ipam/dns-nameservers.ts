import { IpamError, invalidAttribute, invalidInput } from './errors.js';
import { formatIp, tryParseIp } from './ip-address.js';
import type { IpVersion } from './ip-address.js';

/** Neutron's `max_dns_nameservers` default. */
export const DEFAULT_MAX_DNS_NAMESERVERS = 5;

/**
 * neutron_lib's `validate_nameservers` (valid addresses, no duplicates) then
 * `_validate_subnet`'s count and version checks. Order is kept: it is the
 * order dnsmasq hands the servers out in.
 */
export function validateDnsNameservers(
  servers: readonly string[],
  ipVersion: IpVersion,
  opts: { readonly max?: number; readonly subnetId?: string } = {},
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const server of servers) {
    const ip = tryParseIp(server);
    if (!ip) throw invalidAttribute('dns_nameservers', `'${String(server)}' is not a valid nameserver`);
    const canonical = formatIp(ip);
    if (seen.has(canonical)) throw invalidAttribute('dns_nameservers', `Duplicate nameserver '${server}'`);
    seen.add(canonical);
    out.push(canonical);
  }
  const max = opts.max ?? DEFAULT_MAX_DNS_NAMESERVERS;
  if (out.length > max) {
    throw new IpamError(
      'DNSNameServersExhausted',
      `Unable to complete operation for ${opts.subnetId ?? 'new subnet'}. ` +
        `The number of DNS nameservers exceeds the limit ${max}.`,
    );
  }
  for (const [i, server] of servers.entries()) {
    if (tryParseIp(server)?.version !== ipVersion) {
      throw invalidInput(`dns_nameserver '${servers[i]}' does not match the ip_version '${ipVersion}'`);
    }
  }
  return out;
}

// Port list filters beyond attribute equality: `fixed_ips=ip_address=10.0.0.5`,
// `fixed_ips=subnet_id=<id>` and `fixed_ips=ip_address_substr=10.0.` (repeatable; a port matches
// when one of its fixed IPs satisfies every kind of condition given).
import type { CustomFilters, Item } from '../../api/list.js';
import { badAttribute } from '../errors.js';

interface FixedIpFilter { ips: string[]; subnets: string[]; substrings: string[] }

function parseFixedIpFilter(values: readonly string[]): FixedIpFilter {
  const filter: FixedIpFilter = { ips: [], subnets: [], substrings: [] };
  for (const value of values) {
    const at = value.indexOf('=');
    const key = at < 0 ? '' : value.slice(0, at);
    const wanted = value.slice(at + 1);
    if (key === 'ip_address') filter.ips.push(wanted);
    else if (key === 'subnet_id') filter.subnets.push(wanted);
    else if (key === 'ip_address_substr') filter.substrings.push(wanted);
    else throw badAttribute(`Invalid input for fixed_ips. Reason: '${value}' is not of the form <ip_address|subnet_id|ip_address_substr>=<value>.`);
  }
  return filter;
}

function matchesFixedIps(item: Item, values: readonly string[]): boolean {
  const filter = parseFixedIpFilter(values);
  const fixedIps = (item.fixed_ips ?? []) as { subnet_id: string; ip_address: string }[];
  return fixedIps.some((ip) =>
    (filter.ips.length === 0 || filter.ips.includes(ip.ip_address))
    && (filter.subnets.length === 0 || filter.subnets.includes(ip.subnet_id))
    && filter.substrings.every((s) => ip.ip_address.includes(s)));
}

export const PORT_FILTERS: CustomFilters = {
  fixed_ips: matchesFixedIps,
  'binding:host_id': (item, values) => typeof item['binding:host_id'] === 'string' && values.includes(item['binding:host_id']),
};

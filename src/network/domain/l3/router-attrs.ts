// The router attribute map (l3, ext-gw-mode, extraroute, dvr, l3-ha, router_availability_zone,
// l3-flavors): what a POST may set, what a PUT may change, and how each value is validated.
import type { AttrMap } from '../../api/attributes.js';
import { boolean, dict, invalid, isUuid, listOf, nullable, pyRepr, string, uuid, type Validator } from '../../api/validators.js';
import { canonicalIp, tryParseIp } from '../../ipam/ip-address.js';
import { formatCidr, tryParseCidrLoose } from '../../ipam/cidr.js';

export interface ExternalFixedIp { subnet_id?: string; ip_address?: string }
export interface GatewayInfo { network_id: string; enable_snat?: boolean; external_fixed_ips?: ExternalFixedIp[] }
export interface Route { destination: string; nexthop: string }

function unexpectedKeys(value: Record<string, unknown>, allowed: readonly string[], attr: string): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) invalid(attr, `Unexpected keys supplied: ${extra.join(', ')}`);
}

/** neutron_lib `type:fixed_ips`: a list of {subnet_id?, ip_address?}, no duplicate address. */
export const fixedIpList: Validator<ExternalFixedIp[]> = (value, attr) => {
  if (!Array.isArray(value)) return invalid(attr, `Invalid data format for fixed IP: ${pyRepr(value)}`);
  if (value.length > 100) return invalid(attr, 'too many fixed IPs');
  const seen = new Set<string>();
  return value.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return invalid(attr, `Invalid data format for fixed IP: ${pyRepr(item)}`);
    const entry = item as Record<string, unknown>;
    unexpectedKeys(entry, ['subnet_id', 'ip_address'], attr);
    const out: ExternalFixedIp = {};
    if (entry.subnet_id !== undefined) {
      if (!isUuid(entry.subnet_id)) return invalid(attr, `${pyRepr(entry.subnet_id)} is not a valid UUID`);
      out.subnet_id = entry.subnet_id;
    }
    if (entry.ip_address !== undefined) {
      if (typeof entry.ip_address !== 'string' || tryParseIp(entry.ip_address) === undefined) {
        return invalid(attr, `${pyRepr(entry.ip_address)} is not a valid IP address`);
      }
      const ip = canonicalIp(entry.ip_address);
      if (seen.has(ip)) return invalid(attr, `Duplicate IP address '${entry.ip_address}'`);
      seen.add(ip);
      out.ip_address = ip;
    }
    return out;
  });
};

/** ext-gw-mode's `type:dict_or_nodata`: null or {} mean "no gateway". */
export const gatewayInfo: Validator<GatewayInfo | null> = (value, attr) => {
  if (value === null) return null;
  const info = dict()(value, attr);
  if (Object.keys(info).length === 0) return null;
  unexpectedKeys(info, ['network_id', 'enable_snat', 'external_fixed_ips'], attr);
  if (info.network_id === undefined) return invalid(attr, "Validation of dictionary's keys failed. Expected keys: {'network_id'}");
  const out: GatewayInfo = { network_id: uuid(info.network_id, attr) };
  if (info.enable_snat !== undefined) out.enable_snat = boolean(info.enable_snat, attr);
  if (info.external_fixed_ips !== undefined && info.external_fixed_ips !== null) out.external_fixed_ips = fixedIpList(info.external_fixed_ips, attr);
  return out;
};

/** extraroute's routes: neutron_lib `type:hostroutes` (None is an empty list). */
export const routeList: Validator<Route[]> = (value, attr) => {
  if (value === null) return [];
  if (!Array.isArray(value)) return invalid(attr, `Invalid data format for hostroute: ${pyRepr(value)}`);
  if (value.length > 1000) return invalid(attr, 'too many routes');
  const seen = new Set<string>();
  return value.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return invalid(attr, `Invalid data format for hostroute: ${pyRepr(item)}`);
    const entry = item as Record<string, unknown>;
    const keys = Object.keys(entry).sort().join(',');
    if (keys !== 'destination,nexthop') return invalid(attr, `Invalid data format for hostroute: ${pyRepr(JSON.stringify(entry))}`);
    const dest = typeof entry.destination === 'string' ? tryParseCidrLoose(entry.destination) : undefined;
    if (dest === undefined || !dest.hasPrefix) return invalid(attr, `${pyRepr(entry.destination)} is not a valid IP subnet`);
    const hop = typeof entry.nexthop === 'string' ? tryParseIp(entry.nexthop) : undefined;
    if (hop === undefined) return invalid(attr, `${pyRepr(entry.nexthop)} is not a valid IP address`);
    const route = { destination: formatCidr(dest.cidr), nexthop: canonicalIp(entry.nexthop as string) };
    const key = `${route.destination}|${route.nexthop}`;
    if (seen.has(key)) return invalid(attr, `Duplicate hostroute '${route.destination} ${route.nexthop}'`);
    seen.add(key);
    return route;
  });
};

const azName = string(255);

export const ROUTER_ATTRS: AttrMap = {
  name: { post: true, put: true, default: '', validate: string(255) },
  description: { post: true, put: true, default: '', validate: string(255) },
  admin_state_up: { post: true, put: true, default: true, validate: boolean },
  external_gateway_info: { post: true, put: true, default: null, validate: gatewayInfo },
  distributed: { post: true, put: true, validate: boolean },
  ha: { post: true, put: true, validate: boolean },
  routes: { post: false, put: true, validate: routeList },
  availability_zone_hints: { post: true, put: false, default: [], validate: listOf(azName, 100) },
  flavor_id: { post: true, put: false, validate: nullable(uuid) },
};

// The subnet attribute map (neutron_lib subnet API definition plus the subnetpool,
// subnet-service-types, segment and dns extensions): what POST and PUT accept, with
// neutron_lib's validators and messages.
import type { AttrMap } from '../../api/attributes.js';
import { boolean, integer, invalid, listOf, nullable, oneOf, pyRepr, string, uuid, type Validator } from '../../api/validators.js';
import { parseSubnetCidr } from '../../ipam/cidr.js';
import { IpamError } from '../../ipam/errors.js';
import { tryParseIp } from '../../ipam/ip-address.js';
import { IPV6_MODES } from '../../ipam/ipv6-modes.js';
import { badAttribute } from '../errors.js';

export const ipVersion: Validator<4 | 6> = (value, attr) => {
  const n = integer()(value, attr);
  if (n !== 4 && n !== 6) return invalid(attr, `${n} is not in [4, 6]`);
  return n;
};

/** neutron_lib validate_subnet: a prefix is required and IPv4 host bits must be clear. */
export const subnetCidr: Validator<string> = (value, attr) => {
  if (typeof value !== 'string') return invalid(attr, `${pyRepr(value)} is not a valid IP subnet`);
  try {
    parseSubnetCidr(value, attr);
  } catch (err) {
    if (err instanceof IpamError) throw badAttribute(err.message);
    throw err;
  }
  return value;
};

export const ipAddressOrNone: Validator<string | null> = nullable((value, attr) => {
  if (typeof value !== 'string' || tryParseIp(value) === undefined) return invalid(attr, `${pyRepr(value)} is not a valid IP address`);
  return value;
});

function keyedDicts(keys: readonly string[], what: string): Validator<Record<string, string>[]> {
  return listOf((item, attr) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return invalid(attr, `Invalid data format for ${what}: ${pyRepr(item)}`);
    const obj = item as Record<string, unknown>;
    const extra = Object.keys(obj).filter((k) => !keys.includes(k));
    const missing = keys.filter((k) => !(k in obj));
    if (extra.length > 0 || missing.length > 0 || keys.some((k) => typeof obj[k] !== 'string')) {
      return invalid(attr, `Invalid data format for ${what}: ${pyRepr(item)}`);
    }
    return obj as Record<string, string>;
  }, 1000);
}

/** neutron_lib validate_ip_pools: [{start, end}] with valid addresses. */
export const ipPools: Validator<{ start: string; end: string }[]> = (value, attr) => {
  const pools = keyedDicts(['start', 'end'], 'IP pool')(value, attr) as { start: string; end: string }[];
  for (const pool of pools) {
    for (const ip of [pool.start, pool.end]) if (tryParseIp(ip) === undefined) invalid(attr, `${pyRepr(ip)} is not a valid IP address`);
  }
  return pools;
};

export const hostRoutes = keyedDicts(['destination', 'nexthop'], 'hostroute') as Validator<{ destination: string; nexthop: string }[]>;

export const nameservers: Validator<string[]> = listOf((item, attr) => {
  if (typeof item !== 'string') return invalid(attr, `${pyRepr(item)} is not a valid nameserver`);
  return item;
}, 1000);

/**
 * neutron_lib validate_subnet_service_types. Neutron builds its prefix list as
 * ['network:', 'neutron:'] += 'compute:' — extending a list with a string adds its single
 * characters, so any type starting with one of "compute:" letters passes too (Tempest relies on
 * 'test:type_1' being accepted). Reproduce that exactly.
 */
const SERVICE_TYPE_PREFIXES = ['network:', 'neutron:', ...'compute:'];

export const serviceTypes: Validator<string[]> = (value, attr) => {
  if (value === null) return [];
  if (!Array.isArray(value)) throw badAttribute('Subnet service types must be a list.');
  for (const t of value) {
    if (typeof t !== 'string') throw badAttribute(`Subnet service type ${pyRepr(t)} is not a string.`);
    if (t.length > 255 || !SERVICE_TYPE_PREFIXES.some((p) => t.startsWith(p))) {
      throw badAttribute(`Subnet service type ${t} does not correspond to a valid device owner.`);
    }
  }
  void attr;
  return [...new Set(value as string[])];
};

const ipv6Mode = nullable(oneOf(IPV6_MODES));

export const SUBNET_ATTRS: AttrMap = {
  id: {},
  name: { post: true, put: true, default: '', validate: string(255) },
  description: { post: true, put: true, default: '', validate: string(255) },
  network_id: { post: true, required: true, validate: uuid },
  ip_version: { post: true, required: true, validate: ipVersion },
  cidr: { post: true, validate: subnetCidr },
  prefixlen: { post: true, validate: integer(0, 128) },
  subnetpool_id: { post: true, validate: nullable(uuid) },
  use_default_subnetpool: { post: true, default: false, validate: boolean },
  gateway_ip: { post: true, put: true, validate: ipAddressOrNone },
  allocation_pools: { post: true, put: true, validate: ipPools },
  dns_nameservers: { post: true, put: true, validate: nameservers },
  host_routes: { post: true, put: true, validate: hostRoutes },
  enable_dhcp: { post: true, put: true, default: true, validate: boolean },
  ipv6_ra_mode: { post: true, validate: ipv6Mode },
  ipv6_address_mode: { post: true, validate: ipv6Mode },
  service_types: { post: true, put: true, validate: serviceTypes },
  segment_id: { post: true, put: true, validate: nullable(uuid) },
  dns_publish_fixed_ip: { post: true, put: true, default: false, validate: boolean },
  // Read-only attributes a client may echo back are still refused on write, as in Neutron.
  tenant_id: {}, project_id: {}, created_at: {}, updated_at: {}, revision_number: {}, tags: {}, shared: {},
};

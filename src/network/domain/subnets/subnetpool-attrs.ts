// The subnetpool and address-scope attribute maps (neutron_lib API definitions).
import type { AttrMap } from '../../api/attributes.js';
import { boolean, integer, invalid, listOf, nullable, pyRepr, string, uuid, type Validator } from '../../api/validators.js';
import { tryParseCidrLoose } from '../../ipam/cidr.js';
import { ipVersion } from './subnet-attrs.js';

const notEmpty: Validator<string> = (value, attr) => {
  const s = string(255)(value, attr);
  if (s.trim() === '') return invalid(attr, `${pyRepr(value)} Blank strings are not permitted`);
  return s;
};

/** neutron_lib validate_subnet_list: every entry a CIDR with a prefix. */
const subnetList: Validator<string[]> = listOf((item, attr) => {
  const parsed = typeof item === 'string' ? tryParseCidrLoose(item) : undefined;
  if (parsed === undefined || !parsed.hasPrefix) return invalid(attr, `${pyRepr(item)} is not a valid IP subnet`);
  return item as string;
}, 1000);

const nonNegative = integer(0, 128);

export const SUBNETPOOL_ATTRS: AttrMap = {
  id: {},
  name: { post: true, put: true, required: true, validate: notEmpty },
  description: { post: true, put: true, default: '', validate: string(255) },
  prefixes: { post: true, put: true, required: true, validate: subnetList },
  default_quota: { post: true, put: true, validate: nullable(integer(0)) },
  default_prefixlen: { post: true, put: true, validate: nonNegative },
  min_prefixlen: { post: true, put: true, validate: nonNegative },
  max_prefixlen: { post: true, put: true, validate: nonNegative },
  is_default: { post: true, put: true, default: false, validate: boolean },
  shared: { post: true, default: false, validate: boolean },
  address_scope_id: { post: true, put: true, validate: nullable(uuid) },
  ip_version: {}, tenant_id: {}, project_id: {}, created_at: {}, updated_at: {}, revision_number: {}, tags: {},
};

export const ADDRESS_SCOPE_ATTRS: AttrMap = {
  id: {},
  name: { post: true, put: true, default: '', validate: string(255) },
  description: { post: true, put: true, default: '', validate: string(255) },
  shared: { post: true, put: true, default: false, validate: boolean },
  ip_version: { post: true, required: true, validate: ipVersion },
  tenant_id: {}, project_id: {}, created_at: {}, updated_at: {}, revision_number: {},
};

// The network resource's attribute map (neutron-lib network + provider + multi-provider +
// external-net + port-security + net-mtu-writable + dns-domain + availability-zone extensions).
import type { AttrMap } from '../../api/attributes.js';
import { boolean, dict, integer, listOf, nullable, string, uuid, type Validator } from '../../api/validators.js';
import { invalid } from '../../api/validators.js';
import { validateTag } from '../tagging.js';

/** provider:segmentation_id: convert_to_int, no range (type drivers check theirs). */
const segmentationId = nullable(integer(0, 2 ** 32 - 1));

const segmentItem: Validator<Record<string, unknown>> = (value, attr) => {
  const seg = dict()(value, attr);
  for (const key of Object.keys(seg)) {
    if (!['provider:network_type', 'provider:physical_network', 'provider:segmentation_id'].includes(key)) {
      invalid(attr, `Unrecognized attribute(s) '${key}'`);
    }
  }
  return {
    network_type: seg['provider:network_type'] === undefined ? undefined : nullable(string(255))(seg['provider:network_type'], attr),
    physical_network: seg['provider:physical_network'] === undefined ? null : nullable(string(64))(seg['provider:physical_network'], attr),
    segmentation_id: seg['provider:segmentation_id'] === undefined ? null : segmentationId(seg['provider:segmentation_id'], attr),
  };
};

/** A DNS domain: empty, or labels of letters/digits/hyphens ending with a dot (Neutron adds it). */
const dnsDomain: Validator<string> = (value, attr) => {
  const text = string(255)(value, attr);
  if (text === '') return text;
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.split('.').some((label) => !/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(label))) {
    invalid(attr, `'${text}' is not a valid DNS domain name`);
  }
  return `${name}.`;
};

const tag: Validator<string> = (value) => validateTag(value);

export const NETWORK_ATTRS: AttrMap = {
  id: {},
  name: { post: true, put: true, default: '', validate: string(255) },
  description: { post: true, put: true, default: '', validate: string(255) },
  admin_state_up: { post: true, put: true, default: true, validate: boolean },
  status: {},
  subnets: {},
  shared: { post: true, put: true, default: false, validate: boolean },
  'router:external': { post: true, put: true, default: false, validate: boolean },
  port_security_enabled: { post: true, put: true, default: true, validate: boolean },
  mtu: { post: true, put: true, validate: integer(0) },
  dns_domain: { post: true, put: true, default: '', validate: dnsDomain },
  availability_zone_hints: { post: true, default: [], validate: listOf(string(255)) },
  availability_zones: {},
  'provider:network_type': { post: true, put: true, validate: nullable(string(255)) },
  'provider:physical_network': { post: true, put: true, validate: nullable(string(64)) },
  'provider:segmentation_id': { post: true, put: true, validate: segmentationId },
  segments: { post: true, put: true, validate: listOf(segmentItem, 100) },
  is_default: { post: true, put: true, default: false, validate: boolean },
  qos_policy_id: { post: true, put: true, validate: nullable(uuid) },
  vlan_transparent: { post: true, validate: nullable(boolean) },
  tags: { post: true, validate: listOf(tag, 50) },
  ipv4_address_scope: {},
  ipv6_address_scope: {},
  l2_adjacency: {},
  created_at: {},
  updated_at: {},
  revision_number: {},
};

export const PROVIDER_ATTRS = ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id'] as const;

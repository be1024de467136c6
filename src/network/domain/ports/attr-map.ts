// The port resource's attribute map (neutron_lib port definition plus the ML2 extensions
// Nimbus exposes): what a POST may set, what a PUT may change, defaults and validators.
import type { NimbusConfig } from '../../../core/config.js';
import type { AttrMap } from '../../api/attributes.js';
import { boolean, invalid, oneOf, pyRepr, string, uniqueListOf, uuid, type Validator } from '../../api/validators.js';
import { formatMac, tryParseMac } from '../../ipam/mac-address.js';
import { addressPairs, bindingProfile, dhcpOpts, dnsName, fixedIps } from './validate.js';

export const VNIC_TYPES = [
  'normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', 'virtio-forwarder', 'smart-nic', 'vdpa',
  'accelerator-direct', 'accelerator-direct-physical', 'remote-managed',
] as const;

const INVALID_MACS = new Set(['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff']);

/** neutron_lib validate_mac_address: six octets, not all-zero or broadcast; lowercased. */
export const portMac: Validator<string> = (value, attr) => {
  const bytes = typeof value === 'string' ? tryParseMac(value) : undefined;
  const mac = bytes === undefined ? undefined : formatMac(bytes);
  if (mac === undefined || INVALID_MACS.has(mac)) return invalid(attr, `${pyRepr(value)} is not a valid MAC address`);
  return mac;
};

const readOnly = {};

export function portAttrMap(config: NimbusConfig): AttrMap {
  return {
    id: readOnly,
    name: { post: true, put: true, default: '', validate: string(255) },
    network_id: { post: true, required: true, validate: uuid },
    admin_state_up: { post: true, put: true, default: true, validate: boolean },
    mac_address: { post: true, put: true, validate: portMac },
    fixed_ips: { post: true, put: true, validate: fixedIps },
    device_id: { post: true, put: true, default: '', validate: string(255) },
    device_owner: { post: true, put: true, default: '', validate: string(255) },
    status: readOnly,
    description: { post: true, put: true, default: '', validate: string(255) },
    security_groups: { post: true, put: true, validate: uniqueListOf(uuid) },
    port_security_enabled: { post: true, put: true, validate: boolean },
    allowed_address_pairs: { post: true, put: true, validate: addressPairs(config.network.maxAllowedAddressPairs) },
    extra_dhcp_opts: { post: true, put: true, validate: dhcpOpts },
    'binding:host_id': { post: true, put: true, default: '', validate: string(255) },
    'binding:vnic_type': { post: true, put: true, default: 'normal', validate: oneOf(VNIC_TYPES) },
    'binding:profile': { post: true, put: true, validate: bindingProfile },
    'binding:vif_type': readOnly,
    'binding:vif_details': readOnly,
    dns_name: { post: true, put: true, default: '', validate: dnsName },
    dns_assignment: readOnly,
    ip_allocation: readOnly,
    propagate_uplink_status: { post: true, put: true, default: false, validate: boolean },
    resource_request: readOnly,
    tags: readOnly,
    created_at: readOnly,
    updated_at: readOnly,
    revision_number: readOnly,
  };
}

/** Attributes whose value equals this default are not policy-checked (Neutron's rule). */
export const ATTR_DEFAULTS: Readonly<Record<string, unknown>> = {
  name: '', admin_state_up: true, device_id: '', device_owner: '', description: '', 'binding:host_id': '',
  'binding:vnic_type': 'normal', dns_name: '', propagate_uplink_status: false,
};

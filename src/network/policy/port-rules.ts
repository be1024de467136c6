// Neutron's port policy defaults (neutron/conf/policies/port.py, legacy check strings, i.e.
// what Neutron enforces with enforce_new_defaults=False).
//
// Neutron's `network_device` rule is `field:port:device_owner=~^network:`; our engine has no
// field: checks, so the port API puts a computed boolean into every port target —
// `device_owner_is_network` (True when device_owner starts with "network:") — and the rule
// tests that instead. Port targets also carry `network:project_id` / `network:tenant_id`
// (the network's owner) and `shared` (is the network shared with the caller).
import type { RuleDefault } from '../../core/policy/index.js';

const ADVSVC_OR_NET_OWNER = 'rule:context_is_advsvc or rule:admin_or_network_owner';
const DEVICE_OWNER = 'not rule:network_device or rule:context_is_advsvc or rule:admin_or_network_owner';

export const NEUTRON_PORT_RULES: Readonly<Record<string, RuleDefault>> = {
  network_device: { check: "'True':%(device_owner_is_network)s" },
  admin_or_data_plane_int: { check: 'rule:context_is_admin or role:data_plane_integrator' },

  create_port: { check: 'rule:regular_user' },
  'create_port:device_owner': { check: DEVICE_OWNER },
  'create_port:mac_address': { check: ADVSVC_OR_NET_OWNER },
  'create_port:fixed_ips': { check: `${ADVSVC_OR_NET_OWNER} or rule:shared` },
  'create_port:fixed_ips:ip_address': { check: ADVSVC_OR_NET_OWNER },
  'create_port:fixed_ips:subnet_id': { check: `${ADVSVC_OR_NET_OWNER} or rule:shared` },
  'create_port:port_security_enabled': { check: ADVSVC_OR_NET_OWNER },
  'create_port:binding:host_id': { check: 'rule:admin_only' },
  'create_port:binding:profile': { check: 'rule:admin_only' },
  'create_port:binding:vnic_type': { check: 'rule:regular_user' },
  'create_port:allowed_address_pairs': { check: 'rule:admin_or_network_owner' },
  'create_port:allowed_address_pairs:mac_address': { check: 'rule:admin_or_network_owner' },
  'create_port:allowed_address_pairs:ip_address': { check: 'rule:admin_or_network_owner' },

  get_port: { check: 'rule:context_is_advsvc or rule:admin_owner_or_network_owner' },
  'get_port:binding:vif_type': { check: 'rule:admin_only' },
  'get_port:binding:vif_details': { check: 'rule:admin_only' },
  'get_port:binding:host_id': { check: 'rule:admin_only' },
  'get_port:binding:profile': { check: 'rule:admin_only' },
  'get_port:resource_request': { check: 'rule:admin_only' },

  update_port: { check: 'rule:admin_or_owner or rule:context_is_advsvc' },
  'update_port:device_owner': { check: DEVICE_OWNER },
  'update_port:mac_address': { check: 'rule:admin_only or rule:context_is_advsvc' },
  'update_port:fixed_ips': { check: `${ADVSVC_OR_NET_OWNER} or rule:shared` },
  'update_port:fixed_ips:ip_address': { check: ADVSVC_OR_NET_OWNER },
  'update_port:fixed_ips:subnet_id': { check: `${ADVSVC_OR_NET_OWNER} or rule:shared` },
  'update_port:port_security_enabled': { check: ADVSVC_OR_NET_OWNER },
  'update_port:binding:host_id': { check: 'rule:admin_only' },
  'update_port:binding:profile': { check: 'rule:admin_only' },
  'update_port:binding:vnic_type': { check: 'rule:admin_or_owner or rule:context_is_advsvc' },
  'update_port:allowed_address_pairs': { check: 'rule:admin_or_network_owner' },
  'update_port:allowed_address_pairs:mac_address': { check: 'rule:admin_or_network_owner' },
  'update_port:allowed_address_pairs:ip_address': { check: 'rule:admin_or_network_owner' },
  'update_port:data_plane_status': { check: 'rule:admin_or_data_plane_int' },

  delete_port: { check: 'rule:context_is_advsvc or rule:admin_owner_or_network_owner' },
};

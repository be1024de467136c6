// Neutron's policy defaults for subnets, subnet pools, address scopes and network IP
// availability (neutron/conf/policies/*.py, legacy rules as with enforce_new_defaults=False).
// Subnet targets carry `network:project_id` (the network owner) and `shared` (the network is
// shared with the caller); pool and scope targets carry their own `shared`.
import type { RuleDefault } from '../../core/policy/index.js';

const ADMIN = 'rule:admin_only';
const ADMIN_OR_OWNER = 'rule:admin_or_owner';
const ADMIN_OR_NET_OWNER = 'rule:admin_or_network_owner';

export const NEUTRON_SUBNET_RULES: Readonly<Record<string, RuleDefault>> = {
  create_subnet: { check: ADMIN_OR_NET_OWNER },
  'create_subnet:segment_id': { check: ADMIN },
  // create/update_subnet:service_types exist in Neutron's policy file but are never checked:
  // the service_types attribute has no enforce_policy, so Neutron skips its attribute rule.
  get_subnet: { check: 'rule:admin_or_owner or rule:shared' },
  'get_subnet:segment_id': { check: ADMIN },
  update_subnet: { check: ADMIN_OR_NET_OWNER },
  'update_subnet:segment_id': { check: ADMIN },
  delete_subnet: { check: ADMIN_OR_NET_OWNER },

  shared_subnetpools: { check: "'True':%(shared)s" },
  create_subnetpool: { check: '' },
  'create_subnetpool:shared': { check: ADMIN },
  'create_subnetpool:is_default': { check: ADMIN },
  get_subnetpool: { check: 'rule:admin_or_owner or rule:shared_subnetpools' },
  update_subnetpool: { check: ADMIN_OR_OWNER },
  'update_subnetpool:is_default': { check: ADMIN },
  delete_subnetpool: { check: ADMIN_OR_OWNER },
  add_prefixes: { check: ADMIN_OR_OWNER },
  remove_prefixes: { check: ADMIN_OR_OWNER },

  shared_address_scopes: { check: "'True':%(shared)s" },
  create_address_scope: { check: '' },
  'create_address_scope:shared': { check: ADMIN },
  get_address_scope: { check: 'rule:admin_or_owner or rule:shared_address_scopes' },
  update_address_scope: { check: ADMIN_OR_OWNER },
  'update_address_scope:shared': { check: ADMIN },
  delete_address_scope: { check: ADMIN_OR_OWNER },

  get_network_ip_availability: { check: ADMIN },
};

// Neutron's policy defaults for routers, floating IPs and floating IP port forwardings
// (neutron/conf/policies/router.py, floatingip.py, floatingip_port_forwarding.py) with the
// legacy check strings that apply while enforce_new_defaults is off. Port forwardings are
// sub-resources: their target carries `ext_parent:project_id` (and `ext_parent:tenant_id`),
// the owner of the floating IP.
import type { RuleDefault } from '../../core/policy/index.js';

const ANY = '';
const ADMIN_ONLY = 'rule:admin_only';
const ADMIN_OR_OWNER = 'rule:admin_or_owner';
const ADMIN_OR_PARENT_OWNER = 'rule:admin_or_ext_parent_owner';

export const NEUTRON_ROUTER_RULES: Readonly<Record<string, RuleDefault>> = {
  ext_parent_owner: { check: 'project_id:%(ext_parent:project_id)s' },
  admin_or_ext_parent_owner: { check: 'rule:context_is_admin or rule:ext_parent_owner' },

  create_router: { check: ANY },
  'create_router:distributed': { check: ADMIN_ONLY },
  'create_router:ha': { check: ADMIN_ONLY },
  'create_router:external_gateway_info': { check: ADMIN_OR_OWNER },
  'create_router:external_gateway_info:network_id': { check: ADMIN_OR_OWNER },
  'create_router:external_gateway_info:enable_snat': { check: ADMIN_ONLY },
  'create_router:external_gateway_info:external_fixed_ips': { check: ADMIN_ONLY },
  get_router: { check: ADMIN_OR_OWNER },
  'get_router:distributed': { check: ADMIN_ONLY },
  'get_router:ha': { check: ADMIN_ONLY },
  update_router: { check: ADMIN_OR_OWNER },
  'update_router:distributed': { check: ADMIN_ONLY },
  'update_router:ha': { check: ADMIN_ONLY },
  'update_router:external_gateway_info': { check: ADMIN_OR_OWNER },
  'update_router:external_gateway_info:network_id': { check: ADMIN_OR_OWNER },
  'update_router:external_gateway_info:enable_snat': { check: ADMIN_ONLY },
  'update_router:external_gateway_info:external_fixed_ips': { check: ADMIN_ONLY },
  delete_router: { check: ADMIN_OR_OWNER },
  add_router_interface: { check: ADMIN_OR_OWNER },
  remove_router_interface: { check: ADMIN_OR_OWNER },
  add_extraroutes: { check: ADMIN_OR_OWNER },
  remove_extraroutes: { check: ADMIN_OR_OWNER },

  create_floatingip: { check: ANY },
  'create_floatingip:floating_ip_address': { check: ADMIN_ONLY },
  get_floatingip: { check: ADMIN_OR_OWNER },
  update_floatingip: { check: ADMIN_OR_OWNER },
  delete_floatingip: { check: ADMIN_OR_OWNER },

  create_floatingip_port_forwarding: { check: ADMIN_OR_PARENT_OWNER },
  get_floatingip_port_forwarding: { check: ADMIN_OR_PARENT_OWNER },
  update_floatingip_port_forwarding: { check: ADMIN_OR_PARENT_OWNER },
  delete_floatingip_port_forwarding: { check: ADMIN_OR_PARENT_OWNER },
};

// Neutron's policy defaults for networks, segments, RBAC policies, agents and availability zones
// (neutron/conf/policies/{network,segment,rbac,agent,availability_zone}.py), as Neutron applies
// them with enforce_new_defaults off: the deprecated (legacy) check strings.
import type { RuleDefault } from '../../core/policy/index.js';

const ADMIN = 'rule:admin_only';

export const NEUTRON_NETWORK_RULES: Readonly<Record<string, RuleDefault>> = {
  // network.py
  create_network: { check: '' },
  'create_network:shared': { check: ADMIN },
  'create_network:router:external': { check: ADMIN },
  'create_network:is_default': { check: ADMIN },
  'create_network:port_security_enabled': { check: 'rule:regular_user' },
  'create_network:segments': { check: ADMIN },
  'create_network:provider:network_type': { check: ADMIN },
  'create_network:provider:physical_network': { check: ADMIN },
  'create_network:provider:segmentation_id': { check: ADMIN },
  get_network: { check: 'rule:admin_or_owner or rule:shared or rule:external or rule:context_is_advsvc' },
  'get_network:router:external': { check: 'rule:regular_user' },
  'get_network:segments': { check: ADMIN },
  'get_network:provider:network_type': { check: ADMIN },
  'get_network:provider:physical_network': { check: ADMIN },
  'get_network:provider:segmentation_id': { check: ADMIN },
  update_network: { check: 'rule:admin_or_owner' },
  'update_network:segments': { check: ADMIN },
  'update_network:shared': { check: ADMIN },
  'update_network:provider:network_type': { check: ADMIN },
  'update_network:provider:physical_network': { check: ADMIN },
  'update_network:provider:segmentation_id': { check: ADMIN },
  'update_network:router:external': { check: ADMIN },
  'update_network:is_default': { check: ADMIN },
  'update_network:port_security_enabled': { check: 'rule:admin_or_owner' },
  delete_network: { check: 'rule:admin_or_owner' },
  // segment.py
  create_segment: { check: ADMIN },
  get_segment: { check: ADMIN },
  update_segment: { check: ADMIN },
  delete_segment: { check: ADMIN },
  // rbac.py: only admins may grant to every project ('*').
  restrict_wildcard: { check: "(not '*':%(target_tenant)s) or rule:admin_only" },
  create_rbac_policy: { check: '' },
  'create_rbac_policy:target_tenant': { check: 'rule:restrict_wildcard' },
  'create_rbac_policy:target_project': { check: 'rule:restrict_wildcard' },
  update_rbac_policy: { check: 'rule:admin_or_owner' },
  'update_rbac_policy:target_tenant': { check: 'rule:restrict_wildcard and rule:admin_or_owner' },
  'update_rbac_policy:target_project': { check: 'rule:restrict_wildcard and rule:admin_or_owner' },
  get_rbac_policy: { check: 'rule:admin_or_owner' },
  delete_rbac_policy: { check: 'rule:admin_or_owner' },
  // agent.py
  get_agent: { check: ADMIN },
  update_agent: { check: ADMIN },
  delete_agent: { check: ADMIN },
  // availability_zone.py
  get_availability_zone: { check: 'rule:regular_user' },
};

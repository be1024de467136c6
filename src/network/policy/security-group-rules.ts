// Neutron's security group, security group rule and address group policies
// (neutron/conf/policies/security_group.py, address_group.py) with the legacy defaults that apply
// when enforce_new_defaults is off. Visibility itself (own or RBAC-shared) is decided by the
// queries, as Neutron's do; these rules decide what a caller may do with what it can see.
// Targets carry `shared` (Python boolean) and, for rules, `security_group:project_id`.
import type { RuleDefault } from '../../core/policy/index.js';

export const NEUTRON_SECURITY_GROUP_RULES: Readonly<Record<string, RuleDefault>> = {
  admin_or_sg_owner: { check: 'rule:context_is_admin or project_id:%(security_group:project_id)s' },
  admin_owner_or_sg_owner: { check: 'rule:owner or rule:admin_or_sg_owner' },
  shared_security_groups: { check: "'True':%(shared)s" },
  shared_address_groups: { check: "'True':%(shared)s" },

  create_security_group: { check: '' },
  get_security_group: { check: '' },
  update_security_group: { check: 'rule:admin_or_owner' },
  delete_security_group: { check: 'rule:admin_or_owner' },

  create_security_group_rule: { check: 'rule:admin_or_owner' },
  get_security_group_rule: { check: 'rule:admin_owner_or_sg_owner or rule:shared_security_groups' },
  delete_security_group_rule: { check: 'rule:admin_or_owner' },

  create_address_group: { check: '' },
  get_address_group: { check: 'rule:admin_or_owner or rule:shared_address_groups' },
  update_address_group: { check: 'rule:admin_or_owner' },
  delete_address_group: { check: 'rule:admin_or_owner' },
  add_addresses: { check: 'rule:admin_or_owner' },
  remove_addresses: { check: 'rule:admin_or_owner' },
};

// Neutron's base policy rules (neutron/conf/policies/base.py, 2023 releases, with
// enforce_new_defaults off so the legacy owner rules apply). Targets built by the network API
// carry `project_id` and `tenant_id` (the resource's owner), `network:tenant_id` and
// `network:project_id` (the owner of the network a subnet or port lives on), and `shared` /
// `router:external` as Python booleans (True/False) for network-scoped checks.
import type { RuleDefault } from '../../core/policy/index.js';

export const NEUTRON_BASE_RULES: Readonly<Record<string, RuleDefault>> = {
  context_is_admin: { check: 'role:admin' },
  owner: { check: 'project_id:%(project_id)s' },
  admin_or_owner: { check: 'rule:context_is_admin or rule:owner' },
  context_is_advsvc: { check: 'role:advsvc' },
  admin_or_network_owner: { check: 'rule:context_is_admin or project_id:%(network:project_id)s' },
  admin_owner_or_network_owner: { check: 'rule:owner or rule:admin_or_network_owner' },
  network_owner: { check: 'project_id:%(network:project_id)s' },
  admin_only: { check: 'rule:context_is_admin' },
  regular_user: { check: '' },
  shared: { check: "'True':%(shared)s" },
  external: { check: "'True':%(router:external)s" },
  default: { check: 'rule:admin_or_owner' },
};

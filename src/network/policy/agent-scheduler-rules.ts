// Neutron's policy defaults for the dhcp_agent_scheduler and l3_agent_scheduler extensions
// (neutron/conf/policies/agent.py), with the legacy (enforce_new_defaults off) check strings:
// all admin only. Neutron's controllers enforce them with an empty target, so a non-admin gets
// a 403 (PolicyNotAuthorized), not a 404.
import type { RuleDefault } from '../../core/policy/index.js';

const ADMIN = 'rule:admin_only';

export const NEUTRON_AGENT_SCHEDULER_RULES: Readonly<Record<string, RuleDefault>> = {
  'get_dhcp-networks': { check: ADMIN },
  'create_dhcp-network': { check: ADMIN },
  'delete_dhcp-network': { check: ADMIN },
  'get_dhcp-agents': { check: ADMIN },
  'get_l3-routers': { check: ADMIN },
  'create_l3-router': { check: ADMIN },
  'delete_l3-router': { check: ADMIN },
  'get_l3-agents': { check: ADMIN },
};

// All of Neutron's registered policy defaults, one file per resource family.
import { Enforcer, type DefaultRules } from '../../core/policy/index.js';
import type { NimbusConfig } from '../../core/config.js';
import { NEUTRON_AGENT_SCHEDULER_RULES } from './agent-scheduler-rules.js';
import { NEUTRON_BASE_RULES } from './base-rules.js';
import { NEUTRON_MISC_RULES } from './misc-rules.js';
import { NEUTRON_NETWORK_RULES } from './network-rules.js';
import { NEUTRON_PORT_RULES } from './port-rules.js';
import { NEUTRON_ROUTER_RULES } from './router-rules.js';
import { NEUTRON_SECURITY_GROUP_RULES } from './security-group-rules.js';
import { NEUTRON_SUBNET_RULES } from './subnet-rules.js';

export const neutronDefaults: DefaultRules = {
  ...NEUTRON_BASE_RULES,
  ...NEUTRON_NETWORK_RULES,
  ...NEUTRON_SUBNET_RULES,
  ...NEUTRON_PORT_RULES,
  ...NEUTRON_ROUTER_RULES,
  ...NEUTRON_SECURITY_GROUP_RULES,
  ...NEUTRON_MISC_RULES,
  ...NEUTRON_AGENT_SCHEDULER_RULES,
};

/** Scope enforcement follows the cloud-wide identity switch, as for the other services. */
export function createNetworkEnforcer(config: NimbusConfig): Enforcer {
  return new Enforcer(neutronDefaults, { enforceScope: config.identity.enforceScope });
}

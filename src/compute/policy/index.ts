// All of Nova's registered policy defaults that the compute API uses, one file per family; the
// servers step adds its own families here.
import { Enforcer, loadPolicyFile, type DefaultRules } from '../../core/policy/index.js';
import type { NimbusConfig } from '../../core/config.js';
import type { ComputeConfig } from '../config.js';
import { NOVA_FLAVOR_RULES, NOVA_KEYPAIR_RULES, NOVA_QUOTA_RULES, NOVA_ZONE_RULES } from './api-rules.js';
import { NOVA_ADMIN_API_RULES } from './admin-api-rules.js';
import { NOVA_AGGREGATE_RULES, NOVA_SERVER_GROUP_RULES } from './aggregate-rules.js';
import { NOVA_BASE_RULES } from './base-rules.js';
import { NOVA_SERVER_RULES } from './server-rules.js';
import { NOVA_SERVER_EXTRA_RULES } from './server-extra-rules.js';
import { NOVA_HYPERVISOR_RULES, NOVA_SERVICE_RULES } from './service-rules.js';

export const novaDefaults: DefaultRules = {
  ...NOVA_BASE_RULES,
  ...NOVA_SERVER_RULES,
  ...NOVA_FLAVOR_RULES,
  ...NOVA_KEYPAIR_RULES,
  ...NOVA_QUOTA_RULES,
  ...NOVA_ZONE_RULES,
  ...NOVA_SERVICE_RULES,
  ...NOVA_HYPERVISOR_RULES,
  ...NOVA_SERVER_EXTRA_RULES,
  ...NOVA_AGGREGATE_RULES,
  ...NOVA_SERVER_GROUP_RULES,
  ...NOVA_ADMIN_API_RULES,
};

/** Scope enforcement follows the cloud-wide identity switch, as for the other services. */
export function createComputeEnforcer(config: NimbusConfig, compute: ComputeConfig): Enforcer {
  return new Enforcer(novaDefaults, {
    enforceScope: config.identity.enforceScope,
    ...(compute.policyFile !== undefined ? { overrides: loadPolicyFile(compute.policyFile) } : {}),
  });
}

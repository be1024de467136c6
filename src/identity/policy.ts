// The identity service's policy: Keystone's defaults, then the operator's policy file if any.
import type { IdentityConfig } from '../core/config.js';
import { Enforcer, keystoneDefaults, loadPolicyFile } from '../core/policy/index.js';

export function createIdentityEnforcer(config: IdentityConfig): Enforcer {
  const overrides = config.policyFile ? loadPolicyFile(config.policyFile) : undefined;
  return new Enforcer(keystoneDefaults, { enforceScope: config.enforceScope, ...(overrides ? { overrides } : {}) });
}

// Policy checks with Neutron's outcomes: a caller who may not even see a resource gets its
// 404, one who may see it but not act on it gets 403 (PolicyNotAuthorized).
import type { PolicyTarget } from '../../core/policy/index.js';
import type { NetworkDeps } from '../api/deps.js';
import type { Caller } from './caller.js';
import { policyNotAuthorized } from './errors.js';

export function allowed(deps: NetworkDeps, caller: Caller, rule: string, target: PolicyTarget): boolean {
  return deps.policy.authorize(rule, target, caller.creds);
}

export function enforce(deps: NetworkDeps, caller: Caller, rule: string, target: PolicyTarget): void {
  if (!deps.policy.authorize(rule, target, caller.creds)) throw policyNotAuthorized(rule);
}

/**
 * Per-attribute create/update rules (`create_network:shared`, `update_port:binding:host_id`):
 * each attribute the client sent that has a registered `<action>:<attr>` rule must pass too.
 */
export function enforceAttributes(deps: NetworkDeps, caller: Caller, action: string, attrs: Iterable<string>, target: PolicyTarget): void {
  for (const attr of attrs) {
    const rule = `${action}:${attr}`;
    if (deps.policy.isRegistered(rule) && !deps.policy.authorize(rule, target, caller.creds)) throw policyNotAuthorized(rule);
  }
}

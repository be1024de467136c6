// Policy checks with Nova's outcome: a refused rule is a 403 naming it
// ("Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.").
import type { Enforcer, PolicyTarget } from '../../core/policy/index.js';
import type { Caller } from './caller.js';
import { policyNotAuthorized } from './errors.js';

export function allowed(policy: Enforcer, caller: Caller, rule: string, target: PolicyTarget): boolean {
  return policy.authorize(rule, target, caller.creds);
}

export function enforce(policy: Enforcer, caller: Caller, rule: string, target: PolicyTarget): void {
  if (!policy.authorize(rule, target, caller.creds)) throw policyNotAuthorized(rule);
}

/** The default target Nova uses when a rule has none: the caller's own project and user. */
export function ownTarget(caller: Caller): PolicyTarget {
  return { project_id: caller.projectId, user_id: caller.userId };
}

// Who is calling, in Glance's terms: `owner` is the token's project (Glance's context.owner) and
// `isAdmin` is the context_is_admin rule (role:admin), which sees and changes every image.
import { policyCredentials, type AuthContext } from '../../core/http/auth-context.js';
import type { Credentials, Enforcer } from '../../core/policy/index.js';

export interface Caller {
  readonly auth: AuthContext;
  readonly project: string | null;
  readonly isAdmin: boolean;
  readonly creds: Credentials;
}

export function callerOf(auth: AuthContext, policy: Enforcer): Caller {
  const creds = policyCredentials(auth) as Credentials;
  return { auth, project: auth.projectId ?? null, isAdmin: policy.enforce('context_is_admin', {}, creds), creds };
}

// Who is calling, in Neutron's terms: the token's project is the owner of what it creates, and
// `isAdmin` is the context_is_admin rule, which sees and changes every project's resources.
import { policyCredentials, type AuthContext } from '../../core/http/auth-context.js';
import type { Credentials, Enforcer } from '../../core/policy/index.js';

export interface Caller {
  readonly auth: AuthContext;
  /** The token's project ('' for a token without one, which owns nothing). */
  readonly projectId: string;
  readonly isAdmin: boolean;
  readonly creds: Credentials;
}

export function callerOf(auth: AuthContext, policy: Enforcer): Caller {
  const creds = policyCredentials(auth) as Credentials;
  return { auth, projectId: auth.projectId ?? '', isAdmin: policy.enforce('context_is_admin', {}, creds), creds };
}

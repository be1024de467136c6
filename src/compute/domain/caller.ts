// Who is calling, in Nova's terms (nova.context.RequestContext): the token's project and user,
// and is_admin — the context_is_admin rule — which sees every project's private flavors and
// may act for other users and projects where the API allows it.
import { policyCredentials, type AuthContext } from '../../core/http/auth-context.js';
import type { Credentials, Enforcer } from '../../core/policy/index.js';

export interface Caller {
  readonly auth: AuthContext;
  /** The token's project ('' for a token without one, which owns nothing). */
  readonly projectId: string;
  readonly userId: string;
  readonly isAdmin: boolean;
  readonly creds: Credentials;
  /** The request id, for instance actions and logs. */
  readonly requestId: string;
}

export function callerOf(auth: AuthContext, policy: Enforcer, requestId: string): Caller {
  const base = policyCredentials(auth) as Credentials;
  const isAdmin = policy.enforce('context_is_admin', {}, base);
  // Nova's context carries is_admin into every check (`is_admin:True` in the legacy rules).
  const creds: Credentials = { ...base, is_admin: isAdmin };
  return { auth, projectId: auth.projectId ?? '', userId: auth.userId, isAdmin, creds, requestId };
}

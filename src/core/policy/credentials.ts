// Who is calling: the oslo.context policy values for a validated token. Rules address these by
// name (`user_id:...`, `system_scope:all`) and Keystone's defaults also reach into the token body
// (`token.domain.id`, `token.project.domain.id`), which is derived here when not supplied.

export type TokenScope = 'system' | 'domain' | 'project';

export interface Credentials {
  readonly user_id?: string;
  readonly user_domain_id?: string;
  readonly project_id?: string;
  readonly project_domain_id?: string;
  /** Set only for domain-scoped tokens. */
  readonly domain_id?: string;
  /** 'all' for system-scoped tokens. */
  readonly system_scope?: 'all';
  /** Role names, including implied roles. */
  readonly roles?: readonly string[];
  readonly is_admin_project?: boolean;
  /** Anything else a deployment's rules refer to (service_user_id, service_roles, ...). */
  readonly [attribute: string]: unknown;
}

/** The scope oslo.policy assigns a token when enforcing scope_types; unscoped counts as project. */
export function tokenScope(creds: Credentials): TokenScope {
  if (creds.system_scope === 'all') return 'system';
  if (typeof creds.domain_id === 'string' && creds.domain_id !== '') return 'domain';
  return 'project';
}

/**
 * The object generic checks look into: the credentials plus a `token` view shaped like Keystone's
 * token body, unless the caller supplied its own `token`.
 */
export function credentialView(creds: Credentials): Readonly<Record<string, unknown>> {
  if (creds['token'] !== undefined) return creds;
  return { ...creds, token: tokenBody(creds) };
}

function tokenBody(creds: Credentials): Readonly<Record<string, unknown>> {
  return {
    user: { id: creds.user_id, domain: { id: creds.user_domain_id } },
    project: creds.project_id === undefined ? undefined : { id: creds.project_id, domain: { id: creds.project_domain_id } },
    domain: creds.domain_id === undefined ? undefined : { id: creds.domain_id },
    system: creds.system_scope === 'all' ? { all: true } : undefined,
    roles: (creds.roles ?? []).map((name) => ({ name })),
    is_admin_project: creds.is_admin_project,
  };
}

// What a validated token tells every service about its caller (keystonemiddleware's headers).

export interface AuthContext {
  readonly token: string;
  readonly userId: string;
  readonly userName: string;
  readonly userDomainId: string;
  readonly userDomainName: string;
  readonly projectId?: string;
  readonly projectName?: string;
  readonly projectDomainId?: string;
  readonly projectDomainName?: string;
  readonly domainId?: string;
  readonly domainName?: string;
  /** 'all' when the token is system-scoped. */
  readonly system?: 'all';
  readonly roles: readonly { readonly id: string; readonly name: string }[];
  readonly isAdminProject: boolean;
  readonly methods: readonly string[];
  readonly auditIds: readonly string[];
  readonly expiresAt: Date;
  readonly issuedAt: Date;
  readonly applicationCredentialId?: string;
}

/** Validates a token for an API service; throws an ApiError 401 when it is not valid. */
export interface TokenValidator {
  validate(token: string): Promise<AuthContext>;
}

/** The oslo.policy credential dict built from a token. */
export function policyCredentials(ctx: AuthContext): Record<string, unknown> {
  return {
    user_id: ctx.userId,
    user_domain_id: ctx.userDomainId,
    project_id: ctx.projectId,
    project_domain_id: ctx.projectDomainId,
    domain_id: ctx.domainId,
    system_scope: ctx.system,
    roles: ctx.roles.map((r) => r.name.toLowerCase()),
    is_admin_project: ctx.isAdminProject,
  };
}

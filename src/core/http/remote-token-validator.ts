// What keystonemiddleware does for Nova or Neutron: validate a caller's token against the identity
// API (GET /v3/auth/tokens with our own service token) and cache the answer for a short while.
import { ApiError, unauthorized } from '../errors.js';
import type { AuthContext, TokenValidator } from './auth-context.js';

export interface ServiceCredentials {
  readonly authUrl: string;
  readonly username: string;
  readonly password: string;
  readonly projectName: string;
  readonly userDomainId?: string;
  readonly projectDomainId?: string;
}

interface Cached { readonly ctx: AuthContext; readonly until: number }

type TokenBody = {
  user: { id: string; name: string; domain: { id: string; name: string } };
  project?: { id: string; name: string; domain: { id: string; name: string } };
  domain?: { id: string; name: string };
  system?: { all: boolean };
  roles?: { id: string; name: string }[];
  methods: string[]; audit_ids: string[]; expires_at: string; issued_at: string;
  application_credential?: { id: string };
};

export function authContextFromToken(token: string, t: TokenBody): AuthContext {
  return {
    token,
    userId: t.user.id, userName: t.user.name, userDomainId: t.user.domain.id, userDomainName: t.user.domain.name,
    ...(t.project ? { projectId: t.project.id, projectName: t.project.name, projectDomainId: t.project.domain.id, projectDomainName: t.project.domain.name } : {}),
    ...(t.domain ? { domainId: t.domain.id, domainName: t.domain.name } : {}),
    ...(t.system?.all ? { system: 'all' as const } : {}),
    roles: t.roles ?? [],
    isAdminProject: false,
    methods: t.methods, auditIds: t.audit_ids,
    expiresAt: new Date(t.expires_at), issuedAt: new Date(t.issued_at),
    ...(t.application_credential ? { applicationCredentialId: t.application_credential.id } : {}),
  };
}

export class RemoteTokenValidator implements TokenValidator {
  private serviceToken: { id: string; expires: number } | undefined;
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly creds: ServiceCredentials, private readonly cacheMs = 60_000, private readonly maxEntries = 10_000) {}

  async validate(token: string): Promise<AuthContext> {
    const hit = this.cache.get(token);
    if (hit && hit.until > Date.now() && hit.ctx.expiresAt.getTime() > Date.now()) return hit.ctx;
    let res = await this.check(token, await this.ownToken());
    if (res.status === 401) res = await this.check(token, await this.ownToken(true));
    if (res.status === 404 || res.status === 401) throw unauthorized();
    if (res.status !== 200) throw new ApiError(503, `The identity service answered ${res.status} while validating a token.`);
    const ctx = authContextFromToken(token, ((await res.json()) as { token: TokenBody }).token);
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(token, { ctx, until: Date.now() + this.cacheMs });
    return ctx;
  }

  private check(token: string, own: string): Promise<Response> {
    return fetch(`${this.creds.authUrl}/auth/tokens?nocatalog`, { headers: { 'x-auth-token': own, 'x-subject-token': token } });
  }

  private async ownToken(renew = false): Promise<string> {
    if (!renew && this.serviceToken && this.serviceToken.expires - 60_000 > Date.now()) return this.serviceToken.id;
    const res = await fetch(`${this.creds.authUrl}/auth/tokens?nocatalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { name: this.creds.username, password: this.creds.password, domain: { id: this.creds.userDomainId ?? 'default' } } } },
        scope: { project: { name: this.creds.projectName, domain: { id: this.creds.projectDomainId ?? 'default' } } },
      } }),
    });
    if (res.status !== 201) throw new ApiError(503, `The service could not authenticate to the identity service (${res.status}).`);
    const body = (await res.json()) as { token: { expires_at: string } };
    this.serviceToken = { id: res.headers.get('x-subject-token')!, expires: Date.parse(body.token.expires_at) };
    return this.serviceToken.id;
  }
}

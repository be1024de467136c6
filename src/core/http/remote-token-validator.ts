// What keystonemiddleware does for Nova or Neutron: validate a caller's token against the identity
// API (GET /v3/auth/tokens with our own service token) and cache the answer for a short while.
import { ApiError, unauthorized } from '../errors.js';
import type { AuthContext, TokenValidator } from './auth-context.js';
import { ServiceApiError, ServiceClientError } from '../clients/errors.js';
import { HttpClient } from '../clients/http-client.js';
import { normalizeAuthUrl, ServiceAuth } from '../clients/service-auth.js';

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
  private readonly auth: ServiceAuth;
  private readonly identity: HttpClient;
  private readonly cache = new Map<string, Cached>();

  /** `creds`: the service user, or a ServiceAuth the service already holds (its token is then shared). */
  constructor(creds: ServiceCredentials | ServiceAuth, private readonly cacheMs = 60_000, private readonly maxEntries = 10_000) {
    this.auth = creds instanceof ServiceAuth ? creds : new ServiceAuth({
      authUrl: creds.authUrl, username: creds.username, password: creds.password, projectName: creds.projectName,
      userDomainId: creds.userDomainId ?? 'default', projectDomainId: creds.projectDomainId ?? 'default', catalog: false,
    });
    // The service user's token goes with every check; a 401 to it means it must be renewed (once).
    this.identity = new HttpClient({ service: 'identity', auth: this.auth, endpoint: normalizeAuthUrl(this.auth.options.authUrl) });
  }

  async validate(token: string): Promise<AuthContext> {
    const hit = this.cache.get(token);
    if (hit && hit.until > Date.now() && hit.ctx.expiresAt.getTime() > Date.now()) return hit.ctx;
    let res;
    try {
      res = await this.identity.get<{ token: TokenBody }>('/auth/tokens', {
        query: { nocatalog: '' }, headers: { 'x-subject-token': token }, accept: [401, 404],
      });
    } catch (err) {
      if (err instanceof ServiceApiError && err.service === 'identity' && err.method === 'POST') {
        throw new ApiError(503, `The service could not authenticate to the identity service (${err.status}).`);
      }
      if (err instanceof ServiceClientError) {
        throw new ApiError(503, err instanceof ServiceApiError
          ? `The identity service answered ${err.status} while validating a token.`
          : 'The identity service could not be reached to validate a token.');
      }
      throw err;
    }
    if (res.status === 404 || res.status === 401) throw unauthorized();
    const ctx = authContextFromToken(token, res.body.token);
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(token, { ctx, until: Date.now() + this.cacheMs });
    return ctx;
  }
}

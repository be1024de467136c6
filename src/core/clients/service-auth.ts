// A service user's session with identity, as keystoneauth's password plugin gives Nova: password
// authentication scoped to the service project, the token kept until shortly before it expires,
// one new authentication when another service answers 401, and endpoint lookup in the token's
// catalog by service type, interface and region (with an override map for tests and odd setups).
import { EndpointNotFoundError } from './errors.js';
import { HttpClient, type AuthProvider, type EndpointInterface, type RetryPolicy } from './http-client.js';

export interface ServiceAuthOptions {
  /** The identity API, with or without the trailing /v3. */
  readonly authUrl: string;
  readonly username: string;
  readonly password: string;
  /** The user's domain: id (default 'default') or name. */
  readonly userDomainId?: string;
  readonly userDomainName?: string;
  /** The project the token is scoped to: id, or name in its domain (id default 'default', or name). */
  readonly projectId?: string;
  readonly projectName?: string;
  readonly projectDomainId?: string;
  readonly projectDomainName?: string;
  /** Region for catalog lookups; any region when unset. */
  readonly region?: string;
  /** Interface for catalog lookups; default 'public'. */
  readonly interface?: EndpointInterface;
  /** Service type → base URL, used instead of the catalog. */
  readonly endpointOverrides?: Readonly<Record<string, string>>;
  /** false asks for tokens without a catalog (`?nocatalog`); then only overrides resolve endpoints. */
  readonly catalog?: boolean;
  /** Authenticate again this long before the token expires; default 5 minutes (at most half the token's lifetime). */
  readonly renewBeforeMs?: number;
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** The clock, for tests. */
  readonly now?: () => number;
}

export interface CatalogEndpoint {
  readonly id?: string;
  readonly interface: string;
  readonly region?: string | null;
  readonly region_id?: string | null;
  readonly url: string;
}

export interface CatalogEntry {
  readonly id?: string;
  readonly type: string;
  readonly name?: string;
  readonly endpoints: readonly CatalogEndpoint[];
}

/** What the service user's current token says. */
export interface ServiceSession {
  readonly token: string;
  readonly expiresAt: Date;
  readonly userId: string;
  readonly projectId: string | undefined;
  readonly roles: readonly string[];
  readonly catalog: readonly CatalogEntry[];
}

interface Cached extends ServiceSession { readonly renewAt: number }

interface TokenResponse {
  token: {
    expires_at: string;
    user: { id: string };
    project?: { id: string };
    roles?: { name: string }[];
    catalog?: CatalogEntry[];
  };
}

export const DEFAULT_RENEW_BEFORE_MS = 5 * 60_000;

export function normalizeAuthUrl(url: string): string {
  const root = url.replace(/\/+$/, '');
  return root.endsWith('/v3') ? root : `${root}/v3`;
}

export class ServiceAuth implements AuthProvider {
  private cached: Cached | undefined;
  private pending: Promise<Cached> | undefined;
  private readonly identity: HttpClient;
  private readonly now: () => number;

  constructor(readonly options: ServiceAuthOptions) {
    this.identity = new HttpClient({
      service: 'identity', endpoint: normalizeAuthUrl(options.authUrl),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    this.now = options.now ?? Date.now;
  }

  /** A valid token of the service user, authenticating when there is none or it is about to expire. */
  async token(): Promise<string> {
    return (await this.session()).token;
  }

  /** The current token with its user, project, roles and catalog. */
  async session(): Promise<ServiceSession> {
    const cached = this.cached;
    if (cached && this.now() < cached.renewAt) return cached;
    // Concurrent callers share one authentication.
    this.pending ??= this.authenticate().finally(() => { this.pending = undefined; });
    return this.pending;
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  /** The base URL of a service: the override for its type, or the catalog's (interface, region) endpoint. */
  async endpoint(serviceType: string, options: { interface?: EndpointInterface; region?: string } = {}): Promise<string> {
    const override = this.options.endpointOverrides?.[serviceType];
    if (override !== undefined) return override.replace(/\/+$/, '');
    const iface = options.interface ?? this.options.interface ?? 'public';
    const region = options.region ?? this.options.region;
    const url = findEndpoint((await this.session()).catalog, serviceType, iface, region);
    if (url === undefined) throw new EndpointNotFoundError(serviceType, iface, region);
    return url;
  }

  private async authenticate(): Promise<Cached> {
    const o = this.options;
    const userDomain = o.userDomainName !== undefined ? { name: o.userDomainName } : { id: o.userDomainId ?? 'default' };
    const projectDomain = o.projectDomainName !== undefined ? { name: o.projectDomainName } : { id: o.projectDomainId ?? 'default' };
    const scope = o.projectId !== undefined ? { project: { id: o.projectId } }
      : o.projectName !== undefined ? { project: { name: o.projectName, domain: projectDomain } }
        : undefined;
    const res = await this.identity.post<TokenResponse>('/auth/tokens', {
      auth: {
        identity: { methods: ['password'], password: { user: { name: o.username, domain: userDomain, password: o.password } } },
        ...(scope ? { scope } : {}),
      },
    }, { query: o.catalog === false ? { nocatalog: '' } : {}, retry: true });
    const id = res.headers.get('x-subject-token');
    if (!id || !res.body?.token) throw new Error('identity: the token response has no X-Subject-Token or token body');
    const t = res.body.token;
    const expires = Date.parse(t.expires_at);
    const now = this.now();
    const margin = Math.min(o.renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS, Math.max(0, (expires - now) / 2));
    const session: Cached = {
      token: id, expiresAt: new Date(expires), renewAt: expires - margin,
      userId: t.user.id, projectId: t.project?.id, roles: (t.roles ?? []).map((r) => r.name), catalog: t.catalog ?? [],
    };
    this.cached = session;
    return session;
  }
}

/** keystoneauth's catalog match: service type, then interface, then region (region_id or legacy region). */
export function findEndpoint(catalog: readonly CatalogEntry[], serviceType: string, iface: string, region?: string): string | undefined {
  for (const entry of catalog) {
    if (entry.type !== serviceType) continue;
    const hit = entry.endpoints.find((ep) => ep.interface === iface
      && (region === undefined || ep.region_id === region || ep.region === region));
    if (hit) return hit.url.replace(/\/+$/, '');
  }
  return undefined;
}

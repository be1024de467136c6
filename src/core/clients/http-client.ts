// The one JSON request helper every typed client uses (keystoneauth's Session, small): the service
// user's token and the catalog endpoint from a ServiceAuth, a time limit, the caller's request id
// passed on as the global request id, an optional microversion, one re-authentication on 401,
// a few retries with backoff on 503 or a refused connection for idempotent methods only, and any
// error status turned into a ServiceApiError.
import type { Readable } from 'node:stream';
import { ServiceApiError, ServiceUnavailableError } from './errors.js';
import { send, type TransportResponse } from './http-transport.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type EndpointInterface = 'public' | 'internal' | 'admin';

/** Methods that may be repeated without changing the outcome: the only ones ever retried. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** oslo.middleware only accepts a global request id of this shape; anything else is not sent. */
export const GLOBAL_REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where tokens and endpoints come from: a ServiceAuth, or a test double. */
export interface AuthProvider {
  /** A valid token (cached). */
  token(): Promise<string>;
  /** The service answered 401 to this token: forget it so the next token() authenticates again. */
  invalidate(token: string): void;
  /** The base URL of a service, from the catalog (or an override). */
  endpoint(serviceType: string, options?: { interface?: EndpointInterface; region?: string }): Promise<string>;
}

export interface RetryPolicy {
  /** Total tries, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 };

export interface HttpClientOptions {
  /** The name errors carry ('network', 'image', 'placement'); also the catalog type unless serviceType says otherwise. */
  readonly service: string;
  readonly serviceType?: string;
  /** Token and catalog; without it requests are sent unauthenticated to `endpoint`. */
  readonly auth?: AuthProvider;
  /** A fixed base URL, bypassing the catalog. */
  readonly endpoint?: string;
  readonly interface?: EndpointInterface;
  readonly region?: string;
  /** Appended to the endpoint unless it already ends with it: '/v2.0', '/v2'. */
  readonly versionPrefix?: string;
  /** Sent as `OpenStack-API-Version: <service> <version>` on every request (a request may override the version). */
  readonly microversion?: { readonly service: string; readonly version: string };
  /** Time limit of one try, up to the whole JSON body (streams: up to the headers). Default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** The caller's request id, passed on as X-OpenStack-Request-ID (global request id). */
  readonly requestId?: string;
  readonly userAgent?: string;
}

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];
export type Query = Readonly<Record<string, QueryValue>>;

export interface RequestOptions {
  /** Arrays become repeated parameters (`id=a&id=b`); undefined and null are left out. */
  readonly query?: Query;
  /** A JSON body. */
  readonly body?: unknown;
  /** Content type of the JSON body; default application/json. */
  readonly contentType?: string;
  /** A raw body, made afresh for each try (so a 401 re-authentication can resend it). */
  readonly data?: { readonly open: () => Readable | Buffer | Uint8Array; readonly contentType: string };
  readonly headers?: Readonly<Record<string, string>>;
  /** This request's microversion, instead of the client's. */
  readonly microversion?: string;
  readonly timeoutMs?: number;
  /**
   * Retries on 503 / refused connection: by default for idempotent methods only; false never
   * (a non-repeatable upload), true also for this non-idempotent request (the caller knows a
   * repeat is harmless, as with asking identity for a token).
   */
  readonly retry?: boolean;
  readonly signal?: AbortSignal;
  /** Error statuses to hand back instead of throwing (404 for "maybe there is none"). */
  readonly accept?: readonly number[];
}

export interface HttpResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  /** x-openstack-request-id of the answer. */
  readonly requestId: string | undefined;
}

export interface StreamResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  readonly requestId: string | undefined;
}

const USER_AGENT = 'nimbus-service-client';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** keystoneauth's connect-retry backoff, capped, with jitter; a server's small Retry-After wins. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfter?: string | null): number {
  if (retryAfter && /^\d+$/.test(retryAfter)) return Math.min(policy.maxDelayMs, Number(retryAfter) * 1000);
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.5 + Math.random() / 2));
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** One path segment, escaped: `/ports/${seg(id)}`. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

function joinUrl(base: string, prefix: string | undefined, path: string): string {
  let root = base.replace(/\/+$/, '');
  if (prefix && !root.endsWith(prefix)) root += prefix;
  return root + (path.startsWith('/') ? path : `/${path}`);
}

function connectionRefused(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return e?.cause?.code === 'ECONNREFUSED' || e?.code === 'ECONNREFUSED';
}

async function readBody(res: TransportResponse): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class HttpClient {
  readonly service: string;
  private readonly retryPolicy: RetryPolicy;

  constructor(readonly options: HttpClientOptions) {
    if (!options.auth && !options.endpoint) throw new Error(`${options.service} client: needs auth (catalog) or a fixed endpoint`);
    this.service = options.service;
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** A client like this one with some options changed (a request id per incoming request, say). */
  with(overrides: Partial<HttpClientOptions>): HttpClient {
    return new HttpClient({ ...this.options, ...overrides });
  }

  /** The base URL requests go to (catalog or fixed endpoint, plus the version prefix). */
  async baseUrl(): Promise<string> {
    return joinUrl(await this.rootUrl(), this.options.versionPrefix, '').replace(/\/$/, '');
  }

  get<T>(path: string, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  put<T>(path: string, body: unknown, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  delete<T = undefined>(path: string, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>('DELETE', path, options);
  }

  /** A request whose answer is JSON (or nothing); throws ServiceApiError on an error status. */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const { res, done } = await this.send(method, path, options);
    try {
      const body = await readBody(res);
      return { status: res.status, headers: res.headers, body: body as T, requestId: res.headers.get('x-openstack-request-id') ?? undefined };
    } catch (err) {
      throw this.transportError(method, path, err, done.timedOut());
    } finally {
      done.clear();
    }
  }

  /**
   * A request whose answer is read as a stream (image data). The time limit covers the wait for
   * the headers only; the caller reads (or cancels) the body. Error statuses throw as usual.
   */
  async stream(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<StreamResponse> {
    const { res, done } = await this.send(method, path, options);
    done.clear();
    return { status: res.status, headers: res.headers, body: res.body, requestId: res.headers.get('x-openstack-request-id') ?? undefined };
  }

  private async rootUrl(): Promise<string> {
    if (this.options.endpoint) return this.options.endpoint;
    return this.options.auth!.endpoint(this.options.serviceType ?? this.service, {
      ...(this.options.interface ? { interface: this.options.interface } : {}),
      ...(this.options.region ? { region: this.options.region } : {}),
    });
  }

  private headers(options: RequestOptions, token: string | undefined, hasJson: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.options.userAgent ?? USER_AGENT };
    if (token !== undefined) headers['x-auth-token'] = token;
    if (hasJson) headers['content-type'] = options.contentType ?? 'application/json';
    if (options.data) headers['content-type'] = options.data.contentType;
    const mv = this.options.microversion;
    const version = options.microversion ?? mv?.version;
    if (mv && version) headers['openstack-api-version'] = `${mv.service} ${version}`;
    const rid = this.options.requestId;
    if (rid && GLOBAL_REQUEST_ID.test(rid)) headers['x-openstack-request-id'] = rid;
    return { ...headers, ...options.headers };
  }

  private async send(method: HttpMethod, path: string, options: RequestOptions)
    : Promise<{ res: TransportResponse; done: { clear(): void; timedOut(): boolean } }> {
    const fullPath = path + queryString(options.query);
    const retryable = options.retry ?? IDEMPOTENT_METHODS.has(method);
    const hasJson = options.body !== undefined;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    let attempt = 0;
    let reauthenticated = false;
    for (;;) {
      attempt += 1;
      const url = joinUrl(await this.rootUrl(), this.options.versionPrefix, fullPath);
      const token = this.options.auth ? await this.options.auth.token() : undefined;
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
      const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
      const done = { clear: () => clearTimeout(timer), timedOut: () => timedOut };
      let res: TransportResponse;
      try {
        const body = hasJson ? JSON.stringify(options.body) : options.data ? options.data.open() : undefined;
        res = await send(url, { method, headers: this.headers(options, token, hasJson), signal, ...(body !== undefined ? { body } : {}) });
      } catch (err) {
        done.clear();
        if (options.signal?.aborted) throw options.signal.reason ?? err;
        if (!timedOut && retryable && connectionRefused(err) && attempt < this.retryPolicy.attempts) {
          await sleep(retryDelay(this.retryPolicy, attempt));
          continue;
        }
        throw this.transportError(method, fullPath, err, timedOut);
      }
      if (res.status === 401 && token !== undefined && !reauthenticated) {
        // Our token was revoked or expired early: authenticate once more and resend.
        done.clear();
        await res.cancel();
        this.options.auth!.invalidate(token);
        reauthenticated = true;
        attempt -= 1;
        continue;
      }
      if (res.status === 503 && retryable && attempt < this.retryPolicy.attempts) {
        done.clear();
        await res.cancel();
        await sleep(retryDelay(this.retryPolicy, attempt, res.headers.get('retry-after')));
        continue;
      }
      if (res.status >= 400 && !(options.accept ?? []).includes(res.status)) {
        let body: unknown;
        try {
          body = await readBody(res);
        } catch {
          body = undefined;
        } finally {
          done.clear();
        }
        throw new ServiceApiError(res.status, this.service, method, fullPath, body, res.headers.get('x-openstack-request-id') ?? undefined);
      }
      return { res, done };
    }
  }

  private transportError(method: string, path: string, err: unknown, timedOut: boolean): Error {
    if (err instanceof ServiceApiError) return err;
    return new ServiceUnavailableError(this.service, method, path, timedOut ? 'timeout' : 'connection', { cause: err });
  }
}

// How placement reads requests and writes responses, on top of the shared API server: raw JSON
// bodies checked against placement's schemas (415/400 with placement's words), the
// microversion of each request (negotiated once, echoed in OpenStack-API-Version), the auth
// that keystonemiddleware applies to everything but the version document, 405s with an Allow
// header for known paths, and the cache headers of microversion 1.15.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.js';
import { baseUrl } from '../../core/http/server.js';
import { policyCredentials } from '../../core/http/auth-context.js';
import type { Credentials } from '../../core/policy/index.js';
import { badRequest } from '../domain/errors.js';
import { bestError, describeError, validateAll, type Schema } from '../domain/json-schema.js';
import {
  atLeast, formatVersion, isVersionError, negotiateVersion, placementHeaderValue, type Version,
} from '../domain/microversion.js';
import { QueryParams } from '../domain/query.js';
import type { PlacementDeps } from './deps.js';
import { completeFault } from './fault.js';

const versions = new WeakMap<FastifyRequest, Version>();

/** The request's negotiated microversion (set by the onRequest hook before any handler runs). */
export function versionOf(request: FastifyRequest): Version {
  const v = versions.get(request);
  if (v === undefined) throw new Error('placement: microversion not negotiated');
  return v;
}

const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

function headerList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function installPlacementHooks(app: FastifyInstance): void {
  // Bodies stay raw text: each handler checks the media type and parses with placement's errors.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request) => {
    const path = pathOf(request.url);
    if (path !== '/' && path !== '') await request.requireAuth();
    const negotiated = negotiateVersion(placementHeaderValue(headerList(request.headers['openstack-api-version'])));
    if (isVersionError(negotiated)) throw new ApiError(negotiated.status, negotiated.message);
    versions.set(request, negotiated);
    const length = request.headers['content-length'];
    if (length !== undefined && Number(length) > 0 && !request.headers['content-type']) {
      throw badRequest('content-type header required when content-length > 0');
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const version = versions.get(request);
    if (version !== undefined) {
      reply.header('openstack-api-version', `placement ${formatVersion(version)}`);
      reply.header('vary', 'openstack-api-version');
    }
    if (reply.statusCode < 400 || typeof payload !== 'string' || payload === '') return payload;
    try {
      return JSON.stringify(completeFault(JSON.parse(payload), request.id, version));
    } catch {
      return payload;
    }
  });
}

export type Params = Record<string, string>;

export interface Ctx {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly deps: PlacementDeps;
  readonly version: Version;
  readonly query: QueryParams;
  readonly params: Params;
}

export type Handler = (ctx: Ctx) => Promise<unknown>;

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** Registers the methods of one path, and a 405 (with Allow) for every other method. */
export function route(app: FastifyInstance, deps: PlacementDeps, path: string, handlers: Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Handler>>): void {
  const allowed = Object.keys(handlers);
  for (const [method, handler] of Object.entries(handlers)) {
    app.route({
      method: method as 'GET',
      url: path,
      handler: async (request, reply) => {
        const ctx: Ctx = {
          request, reply, deps, version: versionOf(request), query: QueryParams.fromUrl(request.url), params: (request.params ?? {}) as Params,
        };
        return handler(ctx);
      },
    });
  }
  const others = ALL_METHODS.filter((m) => !allowed.includes(m) && !(m === 'HEAD' && allowed.includes('GET')));
  app.route({
    method: others as unknown as 'GET',
    url: path,
    handler: async () => {
      throw new ApiError(405, 'The method specified is not allowed for this resource.', 'MethodNotAllowed', { allow: allowed.join(', ') });
    },
  });
}

/** context.can(rule): placement's 403 "Policy does not allow … to be performed.". */
export async function authorize(ctx: Ctx, rule: string, target?: Record<string, unknown>): Promise<void> {
  const auth = await ctx.request.requireAuth();
  const creds = policyCredentials(auth) as Credentials;
  const t = target ?? { project_id: auth.projectId, user_id: auth.userId };
  if (!ctx.deps.policy.authorize(rule, t, creds)) throw new ApiError(403, `Policy does not allow ${rule} to be performed.`);
}

/** util.check_accept: an Accept header that excludes application/json is a 406. */
export function checkAccept(ctx: Ctx): void {
  const accept = ctx.request.headers.accept;
  if (accept === undefined || accept.trim() === '') return;
  const ok = accept.split(',').some((part) => {
    const [range, ...params] = part.trim().split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) <= 0) return false;
    const r = (range ?? '').toLowerCase();
    return r === '*/*' || r === 'application/*' || r === 'application/json';
  });
  if (!ok) throw new ApiError(406, 'Only application/json is provided');
}

/** util.require_content + extract_json: a JSON body or placement's 415/400. */
export function jsonBody(ctx: Ctx): unknown {
  const type = (ctx.request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError(415, `The media type ${type === '' ? 'None' : type} is not supported, use application/json`);
  }
  const raw = typeof ctx.request.body === 'string' ? ctx.request.body : '';
  if (raw.includes('\\u0000') || raw.includes('\u0000')) throw badRequest('Malformed JSON: NUL characters are not allowed');
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    const detail = raw.trim() === '' ? 'Expecting value: line 1 column 1 (char 0)' : (err as Error).message;
    throw badRequest(`Malformed JSON: ${detail}`);
  }
}

/** The body checked against a schema: "JSON does not validate: …". */
export function validBody<T>(ctx: Ctx, schema: Schema): T {
  const body = jsonBody(ctx);
  const best = bestError(validateAll(body, schema));
  if (best !== undefined) throw badRequest(`JSON does not validate: ${describeError(best)}`);
  return body as T;
}

/** validate_query_params. */
export function validQuery(ctx: Ctx, schema: Schema): void {
  const best = bestError(validateAll(ctx.query.toDict(), schema));
  if (best !== undefined) throw badRequest(`Invalid query string parameters: ${describeError(best)}`);
}

/** From 1.15: last-modified (the newest timestamp, or now) and cache-control: no-cache. */
export function cacheHeaders(ctx: Ctx, lastModified?: string): void {
  if (!atLeast(ctx.version, '1.15')) return;
  const when = lastModified === undefined ? new Date() : new Date(lastModified);
  ctx.reply.header('last-modified', (Number.isNaN(when.getTime()) ? new Date() : when).toUTCString());
  ctx.reply.header('cache-control', 'no-cache');
}

export const newest = (stamps: Iterable<string | undefined>): string | undefined => {
  let best: string | undefined;
  for (const s of stamps) if (s !== undefined && (best === undefined || s > best)) best = s;
  return best;
};

export function sendJson(ctx: Ctx, body: unknown, status = 200): unknown {
  ctx.reply.code(status).type('application/json');
  return body;
}

export function sendEmpty(ctx: Ctx, status = 204): unknown {
  ctx.reply.code(status);
  ctx.reply.removeHeader('content-type');
  return ctx.reply.send();
}

/** An absolute URL under the service root, as webob renders a relative Location. */
export function location(ctx: Ctx, path: string): void {
  ctx.reply.header('location', `${baseUrl(ctx.request)}${path}`);
}

// The one route wiring every compute API uses (Nova's wsgi.Resource + @api_version):
// - each path is served under /v2.1 and /v2.1/{project_id} (the project in the URL must be the
//   token's, or it is Nova's "Malformed request URL" 400);
// - authentication first (keystonemiddleware's 401), then the negotiated microversion
//   (400/406), then the endpoint whose [min, max] range holds it — none is a 404, as Nova's
//   VersionNotFoundForAPIMethod;
// - server actions (POST …/action with {"<name>": {...}}) dispatch on the single body key:
//   anything but one key is "Malformed request body", an unknown name "There is no such action".
// Handlers return the response body (undefined: none) and the endpoint names the status.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../../core/errors.js';
import { callerOf, type Caller } from '../domain/caller.js';
import type { ComputeDeps } from './deps.js';
import { Links } from './links.js';
import { assertNegotiated, type Microversion } from './microversion.js';
import type { QueryValues } from './validation.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Ctx {
  readonly deps: ComputeDeps;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly mv: Microversion;
  readonly caller: Caller;
  /** Path parameters (without the URL's project id). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: QueryValues;
  readonly body: unknown;
  readonly links: Links;
}

export interface Endpoint {
  /** The lowest microversion this handler serves (default: the minimum). */
  readonly min?: string;
  /** The highest (default: no limit). */
  readonly max?: string;
  /** Success status (default 200). */
  readonly status?: number;
  readonly handler: (ctx: Ctx) => Promise<unknown>;
}

export const API_PREFIX = '/v2.1';

function pick(endpoints: readonly Endpoint[], mv: Microversion): Endpoint | undefined {
  return endpoints.find((e) => mv.within(e.min ?? '2.1', e.max));
}

const notFound = (): ApiError => new ApiError(404, 'The resource could not be found.');

export class ComputeRouter {
  constructor(private readonly app: FastifyInstance, private readonly deps: ComputeDeps) {}

  /** One path and method, served by the endpoint matching the request's microversion. */
  route(method: Method, path: string, ...endpoints: Endpoint[]): void {
    this.serve(method, path, async (ctx) => {
      const endpoint = pick(endpoints, ctx.mv);
      if (endpoint === undefined) throw notFound();
      return this.respond(ctx, endpoint);
    });
  }

  /** POST {path} carrying {"<action>": {...}}: one endpoint list per action name. */
  actions(path: string, actions: Readonly<Record<string, readonly Endpoint[]>>): void {
    this.serve('POST', path, async (ctx) => {
      const body = ctx.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length !== 1) {
        throw badRequest('Malformed request body');
      }
      const name = Object.keys(body)[0]!;
      const endpoints = Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (endpoints === undefined) throw badRequest(`There is no such action: ${name.slice(0, 255)}`);
      const endpoint = pick(endpoints, ctx.mv);
      if (endpoint === undefined) throw notFound();
      return this.respond(ctx, endpoint);
    });
  }

  private async respond(ctx: Ctx, endpoint: Endpoint): Promise<unknown> {
    const result = await endpoint.handler(ctx);
    if (ctx.reply.statusCode === 200) ctx.reply.code(endpoint.status ?? 200); // a handler may set another (207)
    if (result === undefined) return ctx.reply.send();
    return result;
  }

  private serve(method: Method, path: string, handle: (ctx: Ctx) => Promise<unknown>): void {
    const deps = this.deps;
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const auth = await request.requireAuth();
      assertNegotiated(request);
      const caller = callerOf(auth, deps.policy, request.id);
      const { project_id: urlProjectId, ...params } = (request.params ?? {}) as Record<string, string>;
      if (urlProjectId !== undefined && urlProjectId !== caller.projectId) {
        throw badRequest(`Malformed request URL: URL's project_id '${urlProjectId.slice(0, 255)}' doesn't match Context's project_id '${caller.projectId}'`);
      }
      return handle({
        deps, request, reply, caller, params,
        mv: request.microversion,
        query: (request.query ?? {}) as QueryValues,
        body: request.body,
        links: new Links(request, urlProjectId),
      });
    };
    for (const prefix of [API_PREFIX, `${API_PREFIX}/:project_id`]) this.app.route({ method, url: `${prefix}${path}`, handler });
  }
}

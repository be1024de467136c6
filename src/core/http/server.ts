// The one route wrapper every Nimbus API uses: request ids, structured logs, body limits, and every
// error (ours, Fastify's, or unexpected) rendered in the service's OpenStack fault format.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiError, isApiError, unauthorized } from '../errors.js';
import type { FaultRenderer } from '../faults.js';
import { newRequestId } from '../ids.js';
import { jsonBodyParser } from './json-body.js';
import type { AuthContext, TokenValidator } from './auth-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Validates the request's X-Auth-Token (once per request) or throws 401. */
    requireAuth(): Promise<AuthContext>;
    authPromise: Promise<AuthContext> | undefined;
  }
}

export interface ApiServerOptions {
  readonly service: string;
  readonly fault: FaultRenderer;
  readonly logger: Logger;
  readonly tokens: TokenValidator;
  readonly bodyLimit?: number;
  /** Neutron reads a body sent without Content-Type as JSON (neutron-tempest-plugin relies on it). */
  readonly jsonWithoutContentType?: boolean;
  /** Neutron (webob) serves every path with a `.json` suffix too: `/v2.0/networks.json`. */
  readonly acceptJsonSuffix?: boolean;
}

/** `/v2.0/ports.json?x=1` → `/v2.0/ports?x=1`. */
function withoutJsonSuffix(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path.endsWith('.json') ? path.slice(0, -5) + (q < 0 ? '' : url.slice(q)) : url;
}

export function createApiServer(options: ApiServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger.child({ service: options.service }) as unknown as FastifyBaseLogger,
    // Route schemas must reject mistyped input, not coerce it or silently drop fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
    genReqId: () => newRequestId(),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    return503OnClosing: true,
    ...(options.acceptJsonSuffix ? { rewriteUrl: (req: { url?: string }) => withoutJsonSuffix(req.url ?? '/') } : {}),
  });
  // Parse JSON ourselves (json-body.ts): an empty body is "no body", and parse errors become 400 faults.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json/, { parseAs: 'string' }, jsonBodyParser);
  if (options.jsonWithoutContentType) {
    // The catch-all parser also sees other media types: only a missing header means JSON.
    app.removeContentTypeParser('text/plain');
    app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
      if (request.headers['content-type'] !== undefined) {
        done(new ApiError(415, 'Unsupported Media Type: the request body must be JSON.'), undefined);
        return;
      }
      jsonBodyParser(request, body, done);
    });
  }
  app.decorateRequest('authPromise', undefined);
  app.decorateRequest('requireAuth', function (this: FastifyRequest): Promise<AuthContext> {
    if (this.authPromise === undefined) {
      const token = this.headers['x-auth-token'];
      this.authPromise = typeof token === 'string' && token !== ''
        ? options.tokens.validate(token)
        : Promise.reject(unauthorized());
    }
    return this.authPromise;
  });
  app.addHook('preValidation', async (request) => {
    const params = request.params as Record<string, string> | undefined;
    if (params && Object.values(params).some((v) => typeof v === 'string' && v.includes('\u0000'))) {
      throw new ApiError(400, 'Invalid input: a path parameter contains a NUL character.');
    }
    // No database accepts NUL in text, and PostgreSQL refuses it with an error: stop it here.
    const query = request.query as Record<string, unknown> | undefined;
    if (query && Object.entries(query).some(([k, v]) => k.includes('\u0000') || [v].flat().some((x) => typeof x === 'string' && x.includes('\u0000')))) {
      throw new ApiError(400, 'Invalid input: a query parameter contains a NUL character.');
    }
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-openstack-request-id', request.id);
  });
  app.setNotFoundHandler((request, reply) => {
    sendFault(reply, options.fault, new ApiError(404, `The resource could not be found.`));
  });
  app.setErrorHandler((error, request, reply) => {
    sendFault(reply, options.fault, toApiError(error, request));
  });
  return app;
}

function toApiError(error: unknown, request: FastifyRequest): ApiError {
  if (isApiError(error)) return error;
  const e = error as { statusCode?: number; code?: string; message?: string };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError(e.statusCode, fastifyMessage(e.code, e.message ?? 'Bad request'));
  }
  request.log.error({ err: error }, 'unexpected error');
  return new ApiError(500, 'An unexpected error prevented the server from fulfilling your request.');
}

function fastifyMessage(code: string | undefined, message: string): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return 'Request Entity Too Large: the request body is too large.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return 'Unsupported Media Type: the request body must be JSON.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return 'Malformed request body: the body is empty.';
    default: return message;
  }
}

export function sendFault(reply: FastifyReply, render: FaultRenderer, err: ApiError): void {
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  reply.code(err.status).type('application/json').send(render(err));
}

/** The scheme://host[:port] the client used, for self links and version documents. */
export function baseUrl(request: FastifyRequest): string {
  const host = request.headers.host ?? `${request.hostname}`;
  return `${request.protocol}://${host}`;
}

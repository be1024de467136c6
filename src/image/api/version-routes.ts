// Version discovery, as Glance's version negotiation answers it: the list at `/` is a 300
// (multiple choices), at `/versions` a 200. v2.13 is the newest version whose features this
// service has (image tasks are 2.12, /v2/info/usage 2.13); the cache API (2.14+) is not offered.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { baseUrl } from '../../core/http/server.js';

const V2_MINORS = ['2.13', '2.12', '2.11', '2.10', '2.9', '2.8', '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0'];

export function versionsDocument(request: FastifyRequest): { versions: Record<string, unknown>[] } {
  const href = `${baseUrl(request)}/v2/`;
  return {
    versions: V2_MINORS.map((v, i) => ({
      id: `v${v}`,
      status: i === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href }],
    })),
  };
}

export function registerVersionRoutes(app: FastifyInstance): void {
  app.get('/', async (request, reply) => {
    reply.code(300);
    return versionsDocument(request);
  });
  for (const path of ['/versions', '/v2']) {
    app.get(path, async (request) => versionsDocument(request));
  }
}

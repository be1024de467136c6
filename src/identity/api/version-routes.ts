// Version discovery: GET / (300 Multiple Choices) and GET /v3.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { baseUrl } from '../../core/http/server.js';

const VERSION_ID = 'v3.14';

function versionDoc(request: FastifyRequest): Record<string, unknown> {
  return {
    id: VERSION_ID,
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${baseUrl(request)}/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

export function registerVersionRoutes(app: FastifyInstance): void {
  app.get('/', async (request, reply) => reply.code(300).send({ versions: { values: [versionDoc(request)] } }));
  app.get('/v3', async (request) => ({ version: versionDoc(request) }));
}

// GET /v2.0/extensions and /v2.0/extensions/{alias}: what this Neutron-compatible API offers
// (the list itself is extension-list.ts). Any authenticated caller may read it.
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../core/errors.js';
import type { NetworkDeps } from './deps.js';
import { EXTENSIONS, findExtension, type Extension } from './extension-list.js';
import { callerFor } from './resource-routes.js';

const render = (e: Extension): Record<string, unknown> => ({ name: e.name, alias: e.alias, description: e.description, updated: e.updated, links: [] });

export function registerExtensionRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  app.get('/v2.0/extensions', async (request) => {
    await callerFor(deps, request);
    return { extensions: EXTENSIONS.map(render) };
  });
  app.get('/v2.0/extensions/:alias', async (request) => {
    await callerFor(deps, request);
    const { alias } = request.params as { alias: string };
    const found = findExtension(alias);
    if (found === undefined) throw new ApiError(404, `Extension with alias ${alias.slice(0, 255)} does not exist`, 'HTTPNotFound');
    return { extension: render(found) };
  });
}

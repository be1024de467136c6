// GET / (and the empty path): the version document, no token needed.
import type { FastifyInstance } from 'fastify';
import { formatVersion, MAX_VERSION, MIN_VERSION } from '../domain/microversion.js';
import type { PlacementDeps } from './deps.js';
import { checkAccept, route, sendJson } from './http.js';

export function versionDocument(): unknown {
  return {
    versions: [{
      id: 'v1.0', max_version: formatVersion(MAX_VERSION), min_version: formatVersion(MIN_VERSION), status: 'CURRENT',
      links: [{ rel: 'self', href: '' }],
    }],
  };
}

export function registerRootRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/', {
    GET: async (ctx) => {
      checkAccept(ctx);
      return sendJson(ctx, versionDocument());
    },
  });
}

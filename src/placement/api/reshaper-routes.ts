// POST /reshaper (microversion 1.30) is not implemented: the route exists so that clients get a
// clear 501 rather than a 404 once they ask for 1.30 or later. Before 1.30 it is a 404, as in
// placement.
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../core/errors.js';
import { requireVersion } from '../domain/microversion.js';
import type { PlacementDeps } from './deps.js';
import { authorize, route } from './http.js';

export function registerReshaperRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/reshaper', {
    POST: async (ctx) => {
      requireVersion(ctx.version, '1.30');
      await authorize(ctx, 'placement:reshaper:reshape');
      throw new ApiError(501, 'POST /reshaper is not implemented by this placement service: move inventory and allocations with PUT /resource_providers/{uuid}/inventories and POST /allocations.');
    },
  });
}

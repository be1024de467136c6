// /resource_providers/{uuid}/usages and /usages (1.9; grouped by consumer type from 1.38).
import type { FastifyInstance } from 'fastify';
import { notFound } from '../domain/errors.js';
import { atLeast, requireVersion } from '../domain/microversion.js';
import { findProvider } from '../domain/providers.js';
import { GET_USAGES_1_38, GET_USAGES_1_9 } from '../domain/schemas.js';
import { providerUsages, totalUsages, totalUsagesByType } from '../domain/usages.js';
import type { PlacementDeps } from './deps.js';
import { authorize, cacheHeaders, checkAccept, route, sendJson, validQuery } from './http.js';

export function registerUsageRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/resource_providers/:uuid/usages', {
    GET: async (ctx) => {
      checkAccept(ctx);
      await authorize(ctx, 'placement:resource_providers:usages');
      const uuid = ctx.params.uuid!;
      const rp = await findProvider(ctx.deps.db, uuid);
      if (rp === undefined) throw notFound(`No resource provider with uuid ${uuid} found: No resource provider with uuid ${uuid} found`);
      const usages = await providerUsages(ctx.deps.db, uuid);
      cacheHeaders(ctx);
      return sendJson(ctx, { resource_provider_generation: rp.generation, usages });
    },
  });

  route(app, deps, '/usages', {
    GET: async (ctx) => {
      requireVersion(ctx.version, '1.9');
      checkAccept(ctx);
      const byType = atLeast(ctx.version, '1.38');
      validQuery(ctx, byType ? GET_USAGES_1_38 : GET_USAGES_1_9);
      const projectId = ctx.query.get('project_id')!;
      await authorize(ctx, 'placement:usages', { project_id: projectId });
      const userId = ctx.query.get('user_id');
      const consumerType = byType ? ctx.query.get('consumer_type') : undefined;
      const q = { projectId, ...(userId !== undefined ? { userId } : {}), ...(consumerType !== undefined ? { consumerType } : {}) };
      const usages = byType ? await totalUsagesByType(ctx.deps.db, q) : await totalUsages(ctx.deps.db, q);
      cacheHeaders(ctx);
      return sendJson(ctx, { usages });
    },
  });
}

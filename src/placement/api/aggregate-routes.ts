// /resource_providers/{uuid}/aggregates (1.1; generation-checked from 1.19).
import type { FastifyInstance } from 'fastify';
import { setProviderAggregates, providerAggregates } from '../domain/aggregates.js';
import { atLeast, requireVersion } from '../domain/microversion.js';
import type { Provider } from '../domain/providers.js';
import { requireProvider } from '../domain/providers.js';
import { PUT_AGGREGATES_1_1, PUT_AGGREGATES_1_19 } from '../domain/schemas.js';
import { normalizeUuid } from '../domain/uuid.js';
import type { PlacementDeps } from './deps.js';
import { authorize, cacheHeaders, checkAccept, route, sendJson, validBody, type Ctx } from './http.js';

function render(ctx: Ctx, rp: Provider, aggregates: readonly string[]): unknown {
  cacheHeaders(ctx);
  return sendJson(ctx, { aggregates, ...(atLeast(ctx.version, '1.19') ? { resource_provider_generation: rp.generation } : {}) });
}

export function registerAggregateRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/resource_providers/:uuid/aggregates', {
    GET: async (ctx) => {
      checkAccept(ctx);
      requireVersion(ctx.version, '1.1');
      await authorize(ctx, 'placement:resource_providers:aggregates:list');
      const rp = await requireProvider(ctx.deps.db, ctx.params.uuid!);
      return render(ctx, rp, await providerAggregates(ctx.deps.db, rp.uuid));
    },
    PUT: async (ctx) => {
      requireVersion(ctx.version, '1.1');
      await authorize(ctx, 'placement:resource_providers:aggregates:update');
      const rp = await requireProvider(ctx.deps.db, ctx.params.uuid!);
      const withGeneration = atLeast(ctx.version, '1.19');
      const body = validBody<string[] | { aggregates: string[]; resource_provider_generation: number }>(ctx, withGeneration ? PUT_AGGREGATES_1_19 : PUT_AGGREGATES_1_1);
      const list = Array.isArray(body) ? body : body.aggregates;
      const result = await setProviderAggregates(ctx.deps.db, rp.uuid, list.map(normalizeUuid),
        Array.isArray(body) ? undefined : body.resource_provider_generation);
      return render(ctx, result.provider, result.aggregates);
    },
  });
}

// /allocations/{consumer_uuid}, POST /allocations (1.13) and
// /resource_providers/{uuid}/allocations.
import type { FastifyInstance } from 'fastify';
import {
  consumerAllocations, deleteConsumer, providerAllocations, writeAllocations, type ConsumerWrite, type WriteOptions,
} from '../domain/allocations.js';
import { badRequest, notFound } from '../domain/errors.js';
import { atLeast, requireVersion, type Version } from '../domain/microversion.js';
import { findProvider } from '../domain/providers.js';
import {
  ALLOCATION_1_0, ALLOCATION_1_12, ALLOCATION_1_28, ALLOCATION_1_34, ALLOCATION_1_38, ALLOCATION_1_8,
  POST_ALLOCATIONS_1_13, POST_ALLOCATIONS_1_28, POST_ALLOCATIONS_1_34, POST_ALLOCATIONS_1_38,
} from '../domain/schemas.js';
import type { Schema } from '../domain/json-schema.js';
import { isUuidLike, normalizeUuid } from '../domain/uuid.js';
import type { PlacementDeps } from './deps.js';
import { authorize, cacheHeaders, checkAccept, route, sendEmpty, sendJson, validBody, type Ctx } from './http.js';

function putSchema(v: Version): Schema {
  if (atLeast(v, '1.38')) return ALLOCATION_1_38;
  if (atLeast(v, '1.34')) return ALLOCATION_1_34;
  if (atLeast(v, '1.28')) return ALLOCATION_1_28;
  if (atLeast(v, '1.12')) return ALLOCATION_1_12;
  if (atLeast(v, '1.8')) return ALLOCATION_1_8;
  return ALLOCATION_1_0;
}

function postSchema(v: Version): Schema {
  if (atLeast(v, '1.38')) return POST_ALLOCATIONS_1_38;
  if (atLeast(v, '1.34')) return POST_ALLOCATIONS_1_34;
  if (atLeast(v, '1.28')) return POST_ALLOCATIONS_1_28;
  return POST_ALLOCATIONS_1_13;
}

type ResourcesBody = Record<string, number>;
interface ConsumerBody {
  allocations: Record<string, { resources: ResourcesBody }> | { resource_provider: { uuid: string }; resources: ResourcesBody }[];
  project_id?: string;
  user_id?: string;
  consumer_generation?: number | null;
  consumer_type?: string;
}

function toWrite(consumerUuid: string, body: ConsumerBody, v: Version): ConsumerWrite {
  const allocations = new Map<string, Map<string, number>>();
  const entries: [string, ResourcesBody][] = Array.isArray(body.allocations)
    ? body.allocations.map((a) => [a.resource_provider.uuid, a.resources])
    : Object.entries(body.allocations).map(([rp, a]) => [rp, a.resources]);
  for (const [rp, resources] of entries) allocations.set(normalizeUuid(rp), new Map(Object.entries(resources)));
  return {
    consumerUuid,
    allocations,
    ...(body.project_id !== undefined ? { projectId: body.project_id, userId: body.user_id ?? '' } : {}),
    ...(atLeast(v, '1.28') ? { generation: body.consumer_generation ?? null } : {}),
    ...(atLeast(v, '1.38') && body.consumer_type !== undefined ? { consumerType: body.consumer_type } : {}),
  };
}

const writeOptions = (v: Version, style: WriteOptions['style']): WriteOptions =>
  ({ checkGeneration: atLeast(v, '1.28'), setConsumerType: atLeast(v, '1.38'), style });

async function getForConsumer(ctx: Ctx): Promise<unknown> {
  checkAccept(ctx);
  await authorize(ctx, 'placement:allocations:list');
  const result = await consumerAllocations(ctx.deps.db, ctx.params.consumer_uuid!);
  const body: Record<string, unknown> = {
    allocations: Object.fromEntries([...result.byProvider].map(([rp, a]) => [rp, { generation: a.generation, resources: a.resources }])),
  };
  if (result.byProvider.size > 0 && result.consumer !== undefined && atLeast(ctx.version, '1.12')) {
    body['project_id'] = result.consumer.project_id;
    body['user_id'] = result.consumer.user_id;
    if (atLeast(ctx.version, '1.28')) body['consumer_generation'] = result.consumer.generation;
    if (atLeast(ctx.version, '1.38')) body['consumer_type'] = result.consumer.consumer_type ?? 'unknown';
  }
  cacheHeaders(ctx, result.lastModified);
  return sendJson(ctx, body);
}

export function registerAllocationRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/allocations/:consumer_uuid', {
    GET: getForConsumer,
    PUT: async (ctx) => {
      await authorize(ctx, 'placement:allocations:update');
      const raw = ctx.params.consumer_uuid!;
      if (!isUuidLike(raw)) throw badRequest(`Malformed consumer_uuid: ${raw}`);
      const consumer = normalizeUuid(raw);
      const body = validBody<ConsumerBody>(ctx, putSchema(ctx.version));
      await writeAllocations(ctx.deps.db, [toWrite(consumer, body, ctx.version)], writeOptions(ctx.version, 'put'));
      return sendEmpty(ctx);
    },
    DELETE: async (ctx) => {
      await authorize(ctx, 'placement:allocations:delete');
      await deleteConsumer(ctx.deps.db, ctx.params.consumer_uuid!);
      return sendEmpty(ctx);
    },
  });

  route(app, deps, '/allocations', {
    POST: async (ctx) => {
      requireVersion(ctx.version, '1.13');
      await authorize(ctx, 'placement:allocations:manage');
      const body = validBody<Record<string, ConsumerBody>>(ctx, postSchema(ctx.version));
      const writes = Object.entries(body).map(([consumer, data]) => toWrite(consumer, data, ctx.version));
      await writeAllocations(ctx.deps.db, writes, writeOptions(ctx.version, 'post'));
      return sendEmpty(ctx);
    },
  });

  route(app, deps, '/resource_providers/:uuid/allocations', {
    GET: async (ctx) => {
      checkAccept(ctx);
      await authorize(ctx, 'placement:resource_providers:allocations:list');
      const uuid = ctx.params.uuid!;
      const rp = await findProvider(ctx.deps.db, uuid);
      if (rp === undefined) throw notFound(`Resource provider '${uuid}' not found: No resource provider with uuid ${uuid} found`);
      const result = await providerAllocations(ctx.deps.db, uuid);
      const withGeneration = atLeast(ctx.version, '1.28');
      const allocations = Object.fromEntries([...result.byConsumer].map(([c, a]) => [
        c, { resources: a.resources, ...(withGeneration ? { consumer_generation: a.generation } : {}) },
      ]));
      cacheHeaders(ctx, result.lastModified);
      return sendJson(ctx, { allocations, resource_provider_generation: rp.generation });
    },
  });
}

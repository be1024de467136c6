// /resource_providers and /resource_providers/{uuid}.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { atLeast, type Version } from '../domain/microversion.js';
import { listProviders, type ProviderFilters } from '../domain/provider-list.js';
import { createProvider, deleteProvider, requireProvider, updateProvider, type Provider } from '../domain/providers.js';
import { normalizeMemberOfParams, normalizeResources, normalizeTraitsParams } from '../domain/query.js';
import {
  GET_RPS_1_0, GET_RPS_1_14, GET_RPS_1_18, GET_RPS_1_3, GET_RPS_1_4, POST_RP, POST_RP_1_14, PUT_RP, PUT_RP_1_14,
} from '../domain/schemas.js';
import { normalizeUuid } from '../domain/uuid.js';
import type { PlacementDeps } from './deps.js';
import {
  authorize, cacheHeaders, checkAccept, location, newest, route, sendEmpty, sendJson, validBody, validQuery, type Ctx,
} from './http.js';

export const providerPath = (uuid: string): string => `/resource_providers/${uuid}`;

function links(rp: Provider, v: Version): { rel: string; href: string }[] {
  const self = providerPath(rp.uuid);
  const rels = ['inventories', 'usages'];
  if (atLeast(v, '1.1')) rels.push('aggregates');
  if (atLeast(v, '1.6')) rels.push('traits');
  if (atLeast(v, '1.11')) rels.push('allocations');
  return [{ rel: 'self', href: self }, ...rels.map((rel) => ({ rel, href: `${self}/${rel}` }))];
}

export function renderProvider(rp: Provider, v: Version): Record<string, unknown> {
  return {
    uuid: rp.uuid,
    name: rp.name,
    generation: rp.generation,
    links: links(rp, v),
    ...(atLeast(v, '1.14') ? { parent_provider_uuid: rp.parent_uuid, root_provider_uuid: rp.root_uuid } : {}),
  };
}

function listSchema(v: Version) {
  if (atLeast(v, '1.18')) return GET_RPS_1_18;
  if (atLeast(v, '1.14')) return GET_RPS_1_14;
  if (atLeast(v, '1.4')) return GET_RPS_1_4;
  if (atLeast(v, '1.3')) return GET_RPS_1_3;
  return GET_RPS_1_0;
}

async function listHandler(ctx: Ctx): Promise<unknown> {
  checkAccept(ctx);
  await authorize(ctx, 'placement:resource_providers:list');
  validQuery(ctx, listSchema(ctx.version));
  const q = ctx.query;
  const filters: ProviderFilters = {
    ...(q.has('name') ? { name: q.get('name')! } : {}),
    ...(q.has('uuid') ? { uuid: normalizeUuid(q.get('uuid')!) } : {}),
    ...(q.has('in_tree') ? { inTree: normalizeUuid(q.get('in_tree')!) } : {}),
    ...(q.has('member_of') ? { memberOf: normalizeAggregates(normalizeMemberOfParams(q.getAll('member_of'), ctx.version)) } : {}),
    ...(q.has('resources') ? { resources: normalizeResources(q.get('resources')!) } : {}),
    ...(q.has('required') ? { traits: normalizeTraitsParams(q.getAll('required'), ctx.version) } : {}),
  };
  const rows = await listProviders(ctx.deps.db, filters);
  cacheHeaders(ctx, newest(rows.map((r) => r.updated_at)));
  return sendJson(ctx, { resource_providers: rows.map((r) => renderProvider(r, ctx.version)) });
}

function normalizeAggregates(f: ReturnType<typeof normalizeMemberOfParams>): ReturnType<typeof normalizeMemberOfParams> {
  return { required: f.required.map((anyOf) => anyOf.map(normalizeUuid)), forbidden: new Set([...f.forbidden].map(normalizeUuid)) };
}

interface ProviderBody { name: string; uuid?: string; parent_provider_uuid?: string | null }

export function registerResourceProviderRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/resource_providers', {
    GET: listHandler,
    POST: async (ctx) => {
      await authorize(ctx, 'placement:resource_providers:create');
      const body = validBody<ProviderBody>(ctx, atLeast(ctx.version, '1.14') ? POST_RP_1_14 : POST_RP);
      const uuid = body.uuid ? normalizeUuid(body.uuid) : randomUUID();
      const parent = body.parent_provider_uuid ? normalizeUuid(body.parent_provider_uuid) : null;
      const rp = await createProvider(ctx.deps.db, { name: body.name, uuid, parentUuid: parent });
      location(ctx, providerPath(rp.uuid));
      if (!atLeast(ctx.version, '1.20')) return sendEmpty(ctx, 201);
      cacheHeaders(ctx, rp.updated_at);
      return sendJson(ctx, renderProvider(rp, ctx.version));
    },
  });

  route(app, deps, '/resource_providers/:uuid', {
    GET: async (ctx) => {
      checkAccept(ctx);
      await authorize(ctx, 'placement:resource_providers:show');
      const rp = await requireProvider(ctx.deps.db, ctx.params.uuid!);
      cacheHeaders(ctx, rp.updated_at);
      return sendJson(ctx, renderProvider(rp, ctx.version));
    },
    PUT: async (ctx) => {
      await authorize(ctx, 'placement:resource_providers:update');
      const uuid = ctx.params.uuid!;
      await requireProvider(ctx.deps.db, uuid);
      const body = validBody<ProviderBody>(ctx, atLeast(ctx.version, '1.14') ? PUT_RP_1_14 : PUT_RP);
      const parent = body.parent_provider_uuid === undefined ? undefined : body.parent_provider_uuid === null ? null : normalizeUuid(body.parent_provider_uuid);
      const rp = await updateProvider(ctx.deps.db, uuid, {
        name: body.name, ...(parent !== undefined ? { parentUuid: parent } : {}), allowReparenting: atLeast(ctx.version, '1.37'),
      });
      cacheHeaders(ctx, rp.updated_at);
      return sendJson(ctx, renderProvider(rp, ctx.version));
    },
    DELETE: async (ctx) => {
      await authorize(ctx, 'placement:resource_providers:delete');
      await deleteProvider(ctx.deps.db, ctx.params.uuid!);
      return sendEmpty(ctx);
    },
  });
}

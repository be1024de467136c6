// /traits, /traits/{name} and /resource_providers/{uuid}/traits (microversion 1.6).
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound, traitNotFoundText } from '../domain/errors.js';
import { validate } from '../domain/json-schema.js';
import { requireVersion } from '../domain/microversion.js';
import { findProvider, requireProvider } from '../domain/providers.js';
import { CUSTOM_TRAIT, LIST_TRAITS_QUERY, SET_TRAITS_FOR_RP } from '../domain/schemas.js';
import { deleteTrait, ensureTrait, findTrait, listTraits, providerTraits, setProviderTraits, type TraitListFilter } from '../domain/traits.js';
import type { PlacementDeps } from './deps.js';
import {
  authorize, cacheHeaders, checkAccept, location, newest, route, sendEmpty, sendJson, validBody, validQuery, type Ctx,
} from './http.js';

function listFilter(ctx: Ctx): TraitListFilter {
  const filter: { nameIn?: string[]; prefix?: string; associated?: boolean } = {};
  const name = ctx.query.get('name');
  if (name !== undefined) {
    const colon = name.indexOf(':');
    if (colon < 0) {
      throw badRequest(`Badly formatted name parameter. Expected name query string parameter in form: ?name=[in|startswith]:[name1,name2|prefix]. Got: "${name}"`);
    }
    const op = name.slice(0, colon);
    const value = name.slice(colon + 1);
    if (op === 'in') filter.nameIn = value.split(',');
    else if (op === 'startswith') filter.prefix = value;
  }
  const associated = ctx.query.get('associated');
  if (associated !== undefined) {
    const lower = associated.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw badRequest('The query parameter "associated" only accepts "true" or "false"');
    filter.associated = lower === 'true';
  }
  return filter;
}

export function registerTraitRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/traits', {
    GET: async (ctx) => {
      requireVersion(ctx.version, '1.6');
      checkAccept(ctx);
      await authorize(ctx, 'placement:traits:list');
      validQuery(ctx, LIST_TRAITS_QUERY);
      const rows = await listTraits(ctx.deps.db, listFilter(ctx));
      cacheHeaders(ctx, newest(rows.map((r) => r.updated_at)));
      return sendJson(ctx, { traits: rows.map((r) => r.name) });
    },
  });

  route(app, deps, '/traits/:name', {
    GET: async (ctx) => {
      requireVersion(ctx.version, '1.6');
      await authorize(ctx, 'placement:traits:show');
      const trait = await findTrait(ctx.deps.db, ctx.params.name!);
      if (trait === undefined) throw notFound(traitNotFoundText([ctx.params.name!]));
      cacheHeaders(ctx, trait.created_at);
      return sendEmpty(ctx);
    },
    PUT: async (ctx) => {
      requireVersion(ctx.version, '1.6');
      await authorize(ctx, 'placement:traits:update');
      const name = ctx.params.name!;
      if (validate(name, CUSTOM_TRAIT) !== undefined) {
        throw badRequest('The trait is invalid. A valid trait must be no longer than 255 characters, start with the prefix "CUSTOM_" and use following characters: "A"-"Z", "0"-"9" and "_"');
      }
      const { row, created } = await ensureTrait(ctx.deps.db, name);
      location(ctx, `/traits/${row.name}`);
      cacheHeaders(ctx, row.created_at);
      return sendEmpty(ctx, created ? 201 : 204);
    },
    DELETE: async (ctx) => {
      requireVersion(ctx.version, '1.6');
      await authorize(ctx, 'placement:traits:delete');
      await deleteTrait(ctx.deps.db, ctx.params.name!);
      return sendEmpty(ctx);
    },
  });

  route(app, deps, '/resource_providers/:uuid/traits', {
    GET: async (ctx) => {
      requireVersion(ctx.version, '1.6');
      checkAccept(ctx);
      await authorize(ctx, 'placement:resource_providers:traits:list');
      const uuid = ctx.params.uuid!;
      const rp = await findProvider(ctx.deps.db, uuid);
      if (rp === undefined) throw notFound(`No resource provider with uuid ${uuid} found: No resource provider with uuid ${uuid} found`);
      const traits = await providerTraits(ctx.deps.db, uuid);
      cacheHeaders(ctx, newest(traits.map((t) => t.updated_at)));
      return sendJson(ctx, { traits: traits.map((t) => t.name), resource_provider_generation: rp.generation });
    },
    PUT: async (ctx) => {
      requireVersion(ctx.version, '1.6');
      await authorize(ctx, 'placement:resource_providers:traits:update');
      const body = validBody<{ traits: string[]; resource_provider_generation: number }>(ctx, SET_TRAITS_FOR_RP);
      await requireProvider(ctx.deps.db, ctx.params.uuid!);
      const result = await setProviderTraits(ctx.deps.db, ctx.params.uuid!, body.traits, body.resource_provider_generation);
      cacheHeaders(ctx);
      return sendJson(ctx, { traits: result.traits, resource_provider_generation: result.provider.generation });
    },
    DELETE: async (ctx) => {
      requireVersion(ctx.version, '1.6');
      await authorize(ctx, 'placement:resource_providers:traits:delete');
      await requireProvider(ctx.deps.db, ctx.params.uuid!);
      await setProviderTraits(ctx.deps.db, ctx.params.uuid!, [], undefined);
      return sendEmpty(ctx);
    },
  });
}

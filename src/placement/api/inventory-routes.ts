// /resource_providers/{uuid}/inventories and /resource_providers/{uuid}/inventories/{class}.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../domain/errors.js';
import {
  createInventory, deleteAllInventories, deleteInventory, providerInventories, setInventories, updateInventory, withDefaults,
  type Inventory, type InventoryInput,
} from '../domain/inventories.js';
import { atLeast, requireVersion } from '../domain/microversion.js';
import { findProvider, requireProvider } from '../domain/providers.js';
import { BASE_INVENTORY, POST_INVENTORY, PUT_INVENTORIES } from '../domain/schemas.js';
import type { PlacementDeps } from './deps.js';
import {
  authorize, cacheHeaders, checkAccept, location, newest, route, sendEmpty, sendJson, validBody, type Ctx,
} from './http.js';
import { providerPath } from './resource-provider-routes.js';

function renderInventory(inv: Inventory | InventoryInput): Record<string, number> {
  return {
    total: inv.total, reserved: inv.reserved, min_unit: inv.min_unit, max_unit: inv.max_unit,
    step_size: inv.step_size, allocation_ratio: inv.allocation_ratio,
  };
}

/** One inventory; placement leaves the generation out when it is 0. */
function renderOne(inv: Inventory, generation: number): Record<string, number> {
  return { ...renderInventory(inv), ...(generation ? { resource_provider_generation: generation } : {}) };
}

function renderAll(generation: number, inventories: readonly Inventory[]): unknown {
  return { resource_provider_generation: generation, inventories: Object.fromEntries(inventories.map((i) => [i.resource_class, renderInventory(i)])) };
}

async function providerForRead(ctx: Ctx) {
  const uuid = ctx.params.uuid!;
  const rp = await findProvider(ctx.deps.db, uuid);
  if (rp === undefined) throw notFound(`No resource provider with uuid ${uuid} found : No resource provider with uuid ${uuid} found`);
  return rp;
}

const reservedMayEqualTotal = (ctx: Ctx): boolean => atLeast(ctx.version, '1.26');

export function registerInventoryRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/resource_providers/:uuid/inventories', {
    GET: async (ctx) => {
      checkAccept(ctx);
      await authorize(ctx, 'placement:resource_providers:inventories:list');
      const rp = await providerForRead(ctx);
      const inventories = await providerInventories(ctx.deps.db, rp.uuid);
      cacheHeaders(ctx, newest(inventories.map((i) => i.updated_at)));
      return sendJson(ctx, renderAll(rp.generation, inventories));
    },
    POST: async (ctx) => {
      await authorize(ctx, 'placement:resource_providers:inventories:create');
      const rp = await requireProvider(ctx.deps.db, ctx.params.uuid!);
      const body = validBody<Record<string, unknown>>(ctx, POST_INVENTORY);
      const rc = body['resource_class'] as string;
      const result = await createInventory(ctx.deps.db, rp.uuid, rc, withDefaults(body), reservedMayEqualTotal(ctx));
      location(ctx, `${providerPath(rp.uuid)}/inventories/${rc}`);
      cacheHeaders(ctx, result.inventory.updated_at);
      return sendJson(ctx, renderOne(result.inventory, result.provider.generation), 201);
    },
    PUT: async (ctx) => {
      await authorize(ctx, 'placement:resource_providers:inventories:update');
      const rp = await requireProvider(ctx.deps.db, ctx.params.uuid!);
      const body = validBody<{ resource_provider_generation: number; inventories: Record<string, Record<string, unknown>> }>(ctx, PUT_INVENTORIES);
      const wanted = new Map(Object.entries(body.inventories).map(([rc, raw]) => [rc, withDefaults(raw)]));
      const result = await setInventories(ctx.deps.db, rp.uuid, body.resource_provider_generation, wanted, reservedMayEqualTotal(ctx));
      cacheHeaders(ctx, newest(result.inventories.map((i) => i.updated_at)));
      return sendJson(ctx, renderAll(result.provider.generation, result.inventories));
    },
    DELETE: async (ctx) => {
      requireVersion(ctx.version, '1.5', 405);
      await authorize(ctx, 'placement:resource_providers:inventories:delete');
      const rp = await requireProvider(ctx.deps.db, ctx.params.uuid!);
      await deleteAllInventories(ctx.deps.db, rp.uuid);
      return sendEmpty(ctx);
    },
  });

  route(app, deps, '/resource_providers/:uuid/inventories/:resource_class', {
    GET: async (ctx) => {
      checkAccept(ctx);
      await authorize(ctx, 'placement:resource_providers:inventories:show');
      const rp = await providerForRead(ctx);
      const rc = ctx.params.resource_class!;
      const inv = (await providerInventories(ctx.deps.db, rp.uuid)).find((i) => i.resource_class === rc);
      if (inv === undefined) throw notFound(`No inventory of class ${rc} for ${rp.uuid}`);
      cacheHeaders(ctx, inv.updated_at);
      return sendJson(ctx, renderOne(inv, rp.generation));
    },
    PUT: async (ctx) => {
      await authorize(ctx, 'placement:resource_providers:inventories:update');
      const rp = await requireProvider(ctx.deps.db, ctx.params.uuid!);
      const body = validBody<Record<string, unknown>>(ctx, BASE_INVENTORY);
      const result = await updateInventory(ctx.deps.db, rp.uuid, ctx.params.resource_class!, body['resource_provider_generation'] as number,
        withDefaults(body), reservedMayEqualTotal(ctx));
      cacheHeaders(ctx, result.inventory.updated_at);
      return sendJson(ctx, renderOne(result.inventory, result.provider.generation));
    },
    DELETE: async (ctx) => {
      await authorize(ctx, 'placement:resource_providers:inventories:delete');
      const rp = await requireProvider(ctx.deps.db, ctx.params.uuid!);
      await deleteInventory(ctx.deps.db, rp.uuid, ctx.params.resource_class!);
      return sendEmpty(ctx);
    },
  });
}

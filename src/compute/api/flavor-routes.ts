// Flavors (nova/api/openstack/compute/flavors.py, flavor_manage.py and views/flavors.py):
//   GET /flavors, /flavors/detail, /flavors/{id}; POST /flavors (200); DELETE /flavors/{id} (202);
//   PUT /flavors/{id} (2.55, the description only).
// Fields by microversion: description from 2.55, extra_specs (in detail/show/create/update, when
// the extra-specs index policy allows) from 2.61, swap 0 instead of "" from 2.75.
import type { FlavorRow } from '../db/schema.js';
import { flavorPayload, notify } from '../domain/notify.js';
import { allowed, enforce, ownTarget } from '../domain/policy.js';
import { invalidInput, markerNotFound } from '../domain/errors.js';
import {
  createFlavor, deleteFlavor, extraSpecs, extraSpecsOf, FLAVOR_SORT_KEYS, getFlavor, listFlavors, updateFlavorDescription,
  type FlavorSortKey,
} from '../domain/flavors.js';
import { badRequest } from '../../core/errors.js';
import type { ComputeRouter, Ctx } from './router.js';
import {
  booleanType, lastQueryValue, MAX_INT, nameType, nonNegativeIntegerType, strictBool, toBoolean, VALID_DESCRIPTION,
  validateBody, validateQuery, type Schema,
} from './validation.js';

const EXTRA_SPECS_INDEX = 'os_compute_api:os-flavor-extra-specs:index';

/** The body of a flavor in the detail/show view. */
export function renderFlavor(ctx: Ctx, f: FlavorRow, specs: Record<string, string> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: f.flavorid,
    name: f.name,
    ram: f.memory_mb,
    disk: f.root_gb,
    swap: ctx.mv.atLeast('2.75') ? f.swap : f.swap === 0 ? '' : f.swap,
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral_gb,
    'OS-FLV-DISABLED:disabled': f.disabled === 1,
    vcpus: f.vcpus,
    'os-flavor-access:is_public': f.is_public === 1,
    rxtx_factor: f.rxtx_factor === 0 ? '' : f.rxtx_factor,
    links: ctx.links.resource('flavors', f.flavorid),
  };
  if (ctx.mv.atLeast('2.55')) out.description = f.description;
  if (specs !== undefined) out.extra_specs = specs;
  return out;
}

function renderBrief(ctx: Ctx, f: FlavorRow): Record<string, unknown> {
  const out: Record<string, unknown> = { id: f.flavorid, name: f.name, links: ctx.links.resource('flavors', f.flavorid) };
  if (ctx.mv.atLeast('2.55')) out.description = f.description;
  return out;
}

/** 2.61+: extra specs go into the flavor body when the caller may list them. */
function includeExtraSpecs(ctx: Ctx): boolean {
  return ctx.mv.atLeast('2.61') && allowed(ctx.deps.policy, ctx.caller, EXTRA_SPECS_INDEX, ownTarget(ctx.caller));
}

const listQuery: Readonly<Record<string, Schema>> = {
  limit: nonNegativeIntegerType,
  marker: { type: 'string' },
  is_public: { type: 'string' },
  minRam: { type: 'string' },
  minDisk: { type: 'string' },
  sort_key: { type: 'string', enum: FLAVOR_SORT_KEYS },
  sort_dir: { type: 'string', enum: ['asc', 'desc'] },
};

/** int() of a filter; clamped to the columns' range (sizes are never negative nor above MAX_INT). */
function intFilter(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\s*[-+]?[0-9]+\s*$/.test(text)) throw badRequest(`Invalid ${name} filter [${text}]`);
  return Math.min(Math.max(Number(text), 0), MAX_INT + 1);
}

/** FlavorsController._get_flavors: filters, sorting and the page. */
async function listPage(ctx: Ctx): Promise<{ rows: FlavorRow[]; pageSize: number }> {
  validateQuery(ctx.query, listQuery, true);
  const q = ctx.query;
  const maxLimit = ctx.deps.compute.maxLimit;
  const limitText = lastQueryValue(q, 'limit');
  const pageSize = limitText === undefined ? maxLimit : Math.min(maxLimit, Number(limitText));
  let isPublic: boolean | null = true;
  if (ctx.caller.isAdmin) {
    const text = lastQueryValue(q, 'is_public');
    if (text !== undefined) {
      if (text.trim().toLowerCase() === 'none') isPublic = null;
      else {
        const parsed = strictBool(text);
        if (parsed === undefined) throw badRequest(`Invalid is_public filter [${text}]`);
        isPublic = parsed;
      }
    }
  }
  const minMemoryMb = intFilter('minRam', lastQueryValue(q, 'minRam'));
  const minRootGb = intFilter('minDisk', lastQueryValue(q, 'minDisk'));
  const marker = lastQueryValue(q, 'marker');
  // No flavor is that large (and the database could not compare with such a number).
  if ((minMemoryMb ?? 0) > MAX_INT || (minRootGb ?? 0) > MAX_INT) {
    if (marker !== undefined) await getFlavor(ctx.deps.db, ctx.caller, marker).catch(() => { throw markerNotFound(marker); });
    return { rows: [], pageSize };
  }
  const rows = await listFlavors(ctx.deps.db, ctx.caller, {
    isPublic,
    enabledOnly: !ctx.caller.isAdmin,
    ...(minMemoryMb !== undefined ? { minMemoryMb } : {}),
    ...(minRootGb !== undefined ? { minRootGb } : {}),
    sortKey: (lastQueryValue(q, 'sort_key') || 'flavorid') as FlavorSortKey,
    sortDir: (lastQueryValue(q, 'sort_dir') || 'asc') as 'asc' | 'desc',
    limit: pageSize,
    ...(marker !== undefined ? { marker } : {}),
  });
  return { rows, pageSize };
}

function withLinks(ctx: Ctx, collection: string, items: Record<string, unknown>[], rows: FlavorRow[], pageSize: number): Record<string, unknown> {
  const links = ctx.links.collection(collection, ctx.query, pageSize, rows.length, rows[rows.length - 1]?.flavorid);
  return links.length > 0 ? { flavors: items, flavors_links: links } : { flavors: items };
}

// ---- create / update bodies (schemas/flavor_manage.py) -----------------------------------

const positive: Schema = { type: ['integer', 'string'], pattern: /^[0-9]*$/, minimum: 1, maximum: MAX_INT };
const nonNegative: Schema = { type: ['integer', 'string'], pattern: /^[0-9]*$/, minimum: 0, maximum: MAX_INT };
const descriptionSchema: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 65535, pattern: VALID_DESCRIPTION };

const createProperties: Readonly<Record<string, Schema>> = {
  name: nameType,
  id: { type: ['string', 'number', 'null'], minLength: 1, maxLength: 255, pattern: /^(?! )[a-zA-Z0-9. _-]+(?<! )$/ },
  ram: positive,
  vcpus: positive,
  disk: nonNegative,
  'OS-FLV-EXT-DATA:ephemeral': nonNegative,
  swap: nonNegative,
  rxtx_factor: { type: ['number', 'string'], pattern: /^[0-9]+(\.[0-9]+)?$/, minimum: 0, exclusiveMinimum: true, maximum: 3.40282e38 },
  'os-flavor-access:is_public': booleanType,
};

function createSchema(withDescription: boolean): Schema {
  return {
    type: 'object',
    properties: {
      flavor: {
        type: 'object',
        properties: withDescription ? { ...createProperties, description: descriptionSchema } : createProperties,
        required: ['name', 'ram', 'vcpus', 'disk'],
        additionalProperties: false,
      },
    },
    required: ['flavor'],
    additionalProperties: false,
  };
}

const CREATE_V21 = createSchema(false);
const CREATE_V255 = createSchema(true);

const UPDATE_V255: Schema = {
  type: 'object',
  properties: {
    flavor: { type: 'object', properties: { description: descriptionSchema }, required: ['description'], additionalProperties: false },
  },
  required: ['flavor'],
  additionalProperties: false,
};

/** utils.validate_integer() on a schema-checked int-or-digits value. */
function integerParam(value: unknown, name: string, min: number): number {
  if (typeof value === 'number') return value;
  const text = String(value);
  if (!/^[0-9]+$/.test(text)) throw invalidInput(`${name} must be an integer`);
  const n = Number(text);
  if (n < min) throw invalidInput(`${name} must be >= ${min}`);
  if (n > MAX_INT) throw invalidInput(`${name} must be <= ${MAX_INT}`);
  return n;
}

function rxtxFactor(value: unknown): number {
  if (value === undefined) return 1;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3.40282e38) throw invalidInput("'rxtx_factor' argument must be a float between 0 and 3.40282e+38");
  return n;
}

/** flavors.create(): a falsy id (absent, null, 0, "") means "generate a UUID". */
function flavorIdOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === 0 || value === '') return undefined;
  return String(value);
}

async function create(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ flavor: Record<string, unknown> }>(ctx.body, ctx.mv.atLeast('2.55') ? CREATE_V255 : CREATE_V21);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-flavor-manage:create', {});
  const v = body.flavor;
  const flavor = await createFlavor(ctx.deps.db, {
    flavorid: flavorIdOf(v.id),
    name: (v.name as string).trim(),
    memoryMb: integerParam(v.ram, 'ram', 1),
    vcpus: integerParam(v.vcpus, 'vcpus', 1),
    rootGb: integerParam(v.disk, 'disk', 0),
    ephemeralGb: integerParam(v['OS-FLV-EXT-DATA:ephemeral'] ?? 0, 'ephemeral', 0),
    swap: integerParam(v.swap ?? 0, 'swap', 0),
    rxtxFactor: rxtxFactor(v.rxtx_factor),
    isPublic: v['os-flavor-access:is_public'] === undefined ? true : toBoolean(v['os-flavor-access:is_public']),
    description: (v.description as string | null | undefined) ?? null,
  });
  notify(ctx.deps.bus, 'flavor.create', flavorPayload(flavor));
  return { flavor: renderFlavor(ctx, flavor, includeExtraSpecs(ctx) ? {} : undefined) };
}

async function update(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ flavor: { description: string | null } }>(ctx.body, UPDATE_V255);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-flavor-manage:update', {});
  const flavor = await updateFlavorDescription(ctx.deps.db, ctx.caller, ctx.params.flavor_id!, body.flavor.description);
  notify(ctx.deps.bus, 'flavor.update', flavorPayload(flavor));
  return { flavor: renderFlavor(ctx, flavor, includeExtraSpecs(ctx) ? await extraSpecs(ctx.deps.db, flavor) : undefined) };
}

export function registerFlavorRoutes(router: ComputeRouter): void {
  router.route('GET', '/flavors', {
    handler: async (ctx) => {
      const { rows, pageSize } = await listPage(ctx);
      return withLinks(ctx, 'flavors', rows.map((f) => renderBrief(ctx, f)), rows, pageSize);
    },
  });

  router.route('GET', '/flavors/detail', {
    handler: async (ctx) => {
      const { rows, pageSize } = await listPage(ctx);
      const specs = includeExtraSpecs(ctx) ? await extraSpecsOf(ctx.deps.db, rows.map((f) => f.id)) : undefined;
      return withLinks(ctx, 'flavors/detail', rows.map((f) => renderFlavor(ctx, f, specs?.get(f.id))), rows, pageSize);
    },
  });

  router.route('GET', '/flavors/:flavor_id', {
    handler: async (ctx) => {
      const flavor = await getFlavor(ctx.deps.db, ctx.caller, ctx.params.flavor_id!);
      return { flavor: renderFlavor(ctx, flavor, includeExtraSpecs(ctx) ? await extraSpecs(ctx.deps.db, flavor) : undefined) };
    },
  });

  router.route('POST', '/flavors', { handler: create });
  router.route('PUT', '/flavors/:flavor_id', { min: '2.55', handler: update });

  router.route('DELETE', '/flavors/:flavor_id', {
    status: 202,
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-flavor-manage:delete', {});
      notify(ctx.deps.bus, 'flavor.delete', flavorPayload(await deleteFlavor(ctx.deps.db, ctx.params.flavor_id!)));
      return undefined;
    },
  });
}

// Flavor extra specs (nova/api/openstack/compute/flavors_extraspecs.py):
//   GET/POST /flavors/{id}/os-extra_specs, GET/PUT/DELETE /flavors/{id}/os-extra_specs/{key}.
// Values may be strings or numbers (stored as strings); from 2.86 every spec is validated.
// Create and update answer with the request body, delete with an empty 200, as Nova does.
import { badRequest } from '../../core/errors.js';
import { validateExtraSpec } from '../domain/extra-specs.js';
import { deleteExtraSpec, extraSpecs, getExtraSpec, getFlavor, setExtraSpecs } from '../domain/flavors.js';
import { flavorPayload, notify } from '../domain/notify.js';
import { enforce } from '../domain/policy.js';
import type { ComputeRouter, Ctx } from './router.js';
import { pyStr, validateBody, type Schema } from './validation.js';

const KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;
const VALUE: Schema = { type: ['string', 'number'], maxLength: 255 };

const specsObject: Schema = { type: 'object', patternProperties: [[KEY, VALUE]], additionalProperties: false };

const CREATE: Schema = {
  type: 'object',
  properties: { extra_specs: specsObject },
  required: ['extra_specs'],
  additionalProperties: false,
};

const UPDATE: Schema = { ...specsObject, minProperties: 1, maxProperties: 1 };

/** A spec value as stored: numbers as Python's str() prints them. */
function stored(value: string | number): string {
  return typeof value === 'string' ? value : pyStr(value);
}

function checkValues(ctx: Ctx, specs: Readonly<Record<string, string | number>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(specs)) {
    const text = stored(value);
    if (typeof value === 'number' && text.length > 255) throw badRequest('Invalid input received: extra_specs value has more than 255 characters.');
    if (ctx.mv.atLeast('2.86')) validateExtraSpec(key, text);
    out[key] = text;
  }
  return out;
}

/** flavor.update with the specs as they now are. */
async function announce(ctx: Ctx): Promise<void> {
  if (ctx.deps.bus === undefined) return;
  const flavor = await getFlavor(ctx.deps.db, ctx.caller, ctx.params.flavor_id!).catch(() => undefined);
  if (flavor !== undefined) notify(ctx.deps.bus, 'flavor.update', flavorPayload(flavor, { extra_specs: await extraSpecs(ctx.deps.db, flavor) }));
}

const rule = (action: string): string => `os_compute_api:os-flavor-extra-specs:${action}`;

export function registerFlavorExtraSpecRoutes(router: ComputeRouter): void {
  const base = '/flavors/:flavor_id/os-extra_specs';

  router.route('GET', base, {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, rule('index'), { project_id: ctx.caller.projectId });
      const flavor = await getFlavor(ctx.deps.db, ctx.caller, ctx.params.flavor_id!);
      return { extra_specs: await extraSpecs(ctx.deps.db, flavor) };
    },
  });

  router.route('POST', base, {
    handler: async (ctx) => {
      const body = validateBody<{ extra_specs: Record<string, string | number> }>(ctx.body, CREATE);
      enforce(ctx.deps.policy, ctx.caller, rule('create'), { project_id: ctx.caller.projectId });
      const specs = checkValues(ctx, body.extra_specs);
      await setExtraSpecs(ctx.deps.db, ctx.caller, ctx.params.flavor_id!, specs);
      await announce(ctx);
      return body;
    },
  });

  router.route('GET', `${base}/:key`, {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, rule('show'), { project_id: ctx.caller.projectId });
      const key = ctx.params.key!;
      return { [key]: await getExtraSpec(ctx.deps.db, ctx.caller, ctx.params.flavor_id!, key) };
    },
  });

  router.route('PUT', `${base}/:key`, {
    handler: async (ctx) => {
      const body = validateBody<Record<string, string | number>>(ctx.body, UPDATE);
      enforce(ctx.deps.policy, ctx.caller, rule('update'), { project_id: ctx.caller.projectId });
      const specs = checkValues(ctx, body);
      if (!Object.hasOwn(body, ctx.params.key!)) throw badRequest('Request body and URI mismatch');
      await setExtraSpecs(ctx.deps.db, ctx.caller, ctx.params.flavor_id!, specs);
      await announce(ctx);
      return body;
    },
  });

  router.route('DELETE', `${base}/:key`, {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, rule('delete'), { project_id: ctx.caller.projectId });
      await deleteExtraSpec(ctx.deps.db, ctx.caller, ctx.params.flavor_id!, ctx.params.key!);
      await announce(ctx);
      return undefined;
    },
  });
}

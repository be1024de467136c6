// /v3/regions: the catalog's region tree. Anyone authenticated may read; writes are admin's.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { isString, nullable, parseBody, type BodySpec } from '../../core/validate.js';
import type { RegionRow } from '../db/schema.js';
import { createRegion, deleteRegion, getRegion, listRegions, updateRegion, type RegionInput } from '../domain/regions.js';
import { isRegionId, requireMatchingId, requireSomeField } from './catalog-checks.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, queryValue, selfLink, type Params, type Query } from './helpers.js';

const REGION_FIELDS: BodySpec = {
  id: { check: isRegionId },
  description: { check: nullable(isString({ max: 255 })) },
  parent_region_id: { check: nullable(isString({ max: 255 })) },
};

export function renderRegion(request: FastifyRequest, r: RegionRow): Record<string, unknown> {
  return {
    ...parseJson(r.extra),
    id: r.id,
    description: r.description,
    parent_region_id: r.parent_region_id,
    links: selfLink(request, `regions/${r.id}`),
  };
}

function parseRegion(body: unknown, update = false): RegionInput {
  const { fields, extra } = parseBody(body, 'region', REGION_FIELDS, true);
  if (update) requireSomeField(fields, extra, 'region');
  delete extra.links;
  return { ...(fields as RegionInput), extra };
}

export function registerRegionRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get('/v3/regions', async (request) => {
    await authorize(deps, request, 'identity:list_regions');
    const regions = await listRegions(deps.db, queryValue(request.query as Query, 'parent_region_id'));
    return collection(request, 'regions', regions.map((r) => renderRegion(request, r)));
  });

  app.post('/v3/regions', async (request, reply) => {
    await authorize(deps, request, 'identity:create_region');
    const input = parseRegion(request.body);
    // An empty id means "choose one", as Keystone treats it.
    const region = await createRegion(deps, { ...input, id: input.id || undefined });
    reply.code(201);
    return { region: renderRegion(request, region) };
  });

  app.put('/v3/regions/:region_id', async (request, reply) => {
    const { region_id } = request.params as Params;
    await authorize(deps, request, 'identity:create_region');
    const input = parseRegion(request.body);
    isRegionId(region_id, 'region_id');
    if (input.id !== undefined && input.id !== region_id) {
      throw badRequest(`Conflicting region IDs specified: "${region_id}" != "${input.id}"`);
    }
    const region = await createRegion(deps, { ...input, id: region_id! });
    reply.code(201);
    return { region: renderRegion(request, region) };
  });

  app.get('/v3/regions/:region_id', async (request) => {
    const { region_id } = request.params as Params;
    await authorize(deps, request, 'identity:get_region');
    return { region: renderRegion(request, await getRegion(deps.db, region_id!)) };
  });

  app.patch('/v3/regions/:region_id', async (request) => {
    const { region_id } = request.params as Params;
    await authorize(deps, request, 'identity:update_region');
    const { id, ...input } = parseRegion(request.body, true);
    requireMatchingId({ id }, region_id!);
    return { region: renderRegion(request, await updateRegion(deps, region_id!, input)) };
  });

  app.delete('/v3/regions/:region_id', async (request, reply) => {
    const { region_id } = request.params as Params;
    await authorize(deps, request, 'identity:delete_region');
    await deleteRegion(deps, region_id!);
    reply.code(204).send();
  });
}

// /v3/OS-EP-FILTER/endpoint_groups: named endpoint filters (admin-only, like the catalog).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { isObject, isString, nullable, parseBody, type BodySpec, type Check } from '../../core/validate.js';
import type { EndpointGroupRow } from '../db/schema.js';
import {
  createEndpointGroup, deleteEndpointGroup, getEndpointGroup, groupFilters, listEndpointGroups, updateEndpointGroup,
  type EndpointFilter, type EndpointGroupInput,
} from '../domain/endpoint-groups.js';
import { INTERFACES, isName, isOneOf, requireSomeField } from './catalog-checks.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, queryValue, selfLink, type Params, type Query } from './helpers.js';

const FILTER_CHECKS: Readonly<Record<string, Check<unknown>>> = {
  service_id: isString({ max: 64 }),
  region_id: nullable(isString({ max: 255 })),
  interface: isOneOf(INTERFACES),
};

const isFilter: Check<EndpointFilter> = (value, field) => {
  const filters = isObject(value, field);
  for (const [key, v] of Object.entries(filters)) {
    const check = FILTER_CHECKS[key];
    if (!check) {
      throw badRequest('Expecting to find service_id or region_id or interface in endpoint_group. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.');
    }
    check(v, `${field}.${key}`);
  }
  return filters as EndpointFilter;
};

const GROUP_FIELDS: BodySpec = {
  name: { check: isName },
  description: { check: nullable(isString({ max: 65535 })) },
  filters: { check: isFilter },
};

export function renderEndpointGroup(request: FastifyRequest, g: EndpointGroupRow): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    filters: groupFilters(g),
    links: selfLink(request, `OS-EP-FILTER/endpoint_groups/${g.id}`),
  };
}

export function registerEndpointGroupRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = '/v3/OS-EP-FILTER/endpoint_groups';

  app.get(base, async (request) => {
    await authorize(deps, request, 'identity:list_endpoint_groups');
    const groups = await listEndpointGroups(deps.db, queryValue(request.query as Query, 'name'));
    return collection(request, 'endpoint_groups', groups.map((g) => renderEndpointGroup(request, g)));
  });

  app.post(base, async (request, reply) => {
    await authorize(deps, request, 'identity:create_endpoint_group');
    const spec = { ...GROUP_FIELDS, name: { ...GROUP_FIELDS.name!, required: true }, filters: { ...GROUP_FIELDS.filters!, required: true } };
    const input = parseBody(request.body, 'endpoint_group', spec, false).fields as EndpointGroupInput;
    if (Object.keys(input.filters ?? {}).length === 0) throw badRequest('filters field is required and cannot be empty');
    const group = await createEndpointGroup(deps, { ...input, name: input.name!, filters: input.filters! });
    reply.code(201);
    return { endpoint_group: renderEndpointGroup(request, group) };
  });

  // Fastify answers HEAD from this GET route too: that is Keystone's "check endpoint group".
  app.get(`${base}/:endpoint_group_id`, async (request) => {
    const { endpoint_group_id } = request.params as Params;
    await authorize(deps, request, 'identity:get_endpoint_group');
    return { endpoint_group: renderEndpointGroup(request, await getEndpointGroup(deps.db, endpoint_group_id!)) };
  });

  app.patch(`${base}/:endpoint_group_id`, async (request) => {
    const { endpoint_group_id } = request.params as Params;
    await authorize(deps, request, 'identity:update_endpoint_group');
    const { fields, extra } = parseBody(request.body, 'endpoint_group', GROUP_FIELDS, false);
    requireSomeField(fields, extra, 'endpoint_group');
    const group = await updateEndpointGroup(deps, endpoint_group_id!, fields as EndpointGroupInput);
    return { endpoint_group: renderEndpointGroup(request, group) };
  });

  app.delete(`${base}/:endpoint_group_id`, async (request, reply) => {
    const { endpoint_group_id } = request.params as Params;
    await authorize(deps, request, 'identity:delete_endpoint_group');
    await deleteEndpointGroup(deps, endpoint_group_id!);
    reply.code(204).send();
  });
}

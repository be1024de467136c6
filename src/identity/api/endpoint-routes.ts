// /v3/endpoints: catalog endpoints, rendered with both region_id and the legacy region.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isBoolean, isString, nullable, parseBody, type BodySpec } from '../../core/validate.js';
import type { EndpointRow } from '../db/schema.js';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, updateEndpoint, type EndpointInput } from '../domain/endpoints.js';
import { assertFormattableUrl, INTERFACES, isEndpointUrl, isOneOf, isRegionId, requireMatchingId, requireSomeField } from './catalog-checks.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, queryValue, selfLink, type Params, type Query } from './helpers.js';

const ENDPOINT_FIELDS: BodySpec = {
  interface: { check: isOneOf(INTERFACES) },
  url: { check: isEndpointUrl },
  service_id: { check: isString({ min: 1, max: 64 }) },
  region_id: { check: nullable(isRegionId) },
  region: { check: nullable(isRegionId) },
  enabled: { check: isBoolean },
};

export function renderEndpoint(request: FastifyRequest, e: EndpointRow): Record<string, unknown> {
  return {
    ...parseJson(e.extra),
    id: e.id,
    interface: e.interface,
    region_id: e.region_id,
    region: e.region_id,
    service_id: e.service_id,
    url: e.url,
    enabled: e.enabled === 1,
    links: selfLink(request, `endpoints/${e.id}`),
  };
}

function parseEndpoint(body: unknown, create: boolean): EndpointInput & { id?: unknown } {
  const required = (name: string) => ({ [name]: { ...ENDPOINT_FIELDS[name]!, required: true } });
  const spec = create ? { ...ENDPOINT_FIELDS, ...required('interface'), ...required('url'), ...required('service_id') } : ENDPOINT_FIELDS;
  const { fields, extra } = parseBody(body, 'endpoint', spec, true);
  if (!create) requireSomeField(fields, extra, 'endpoint');
  const id = extra.id;
  delete extra.id;
  delete extra.links;
  delete extra.legacy_endpoint_id;
  return { ...(fields as EndpointInput), extra, id };
}

export function registerEndpointRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get('/v3/endpoints', async (request) => {
    await authorize(deps, request, 'identity:list_endpoints');
    const query = request.query as Query;
    const iface = queryValue(query, 'interface');
    if (iface !== undefined) isOneOf(INTERFACES)(iface, 'interface');
    const endpoints = await listEndpoints(deps.db, {
      interface: iface, service_id: queryValue(query, 'service_id'), region_id: queryValue(query, 'region_id'),
    });
    return collection(request, 'endpoints', endpoints.map((e) => renderEndpoint(request, e)));
  });

  app.post('/v3/endpoints', async (request, reply) => {
    await authorize(deps, request, 'identity:create_endpoint');
    const { id: _ignored, ...input } = parseEndpoint(request.body, true);
    assertFormattableUrl(input.url!);
    const endpoint = await createEndpoint(deps, { ...input, interface: input.interface!, url: input.url!, service_id: input.service_id! });
    reply.code(201);
    return { endpoint: renderEndpoint(request, endpoint) };
  });

  app.get('/v3/endpoints/:endpoint_id', async (request) => {
    const { endpoint_id } = request.params as Params;
    await authorize(deps, request, 'identity:get_endpoint');
    return { endpoint: renderEndpoint(request, await getEndpoint(deps.db, endpoint_id!)) };
  });

  app.patch('/v3/endpoints/:endpoint_id', async (request) => {
    const { endpoint_id } = request.params as Params;
    await authorize(deps, request, 'identity:update_endpoint');
    const { id, ...input } = parseEndpoint(request.body, false);
    requireMatchingId({ id }, endpoint_id!);
    return { endpoint: renderEndpoint(request, await updateEndpoint(deps, endpoint_id!, input)) };
  });

  app.delete('/v3/endpoints/:endpoint_id', async (request, reply) => {
    const { endpoint_id } = request.params as Params;
    await authorize(deps, request, 'identity:delete_endpoint');
    await deleteEndpoint(deps, endpoint_id!);
    reply.code(204).send();
  });
}

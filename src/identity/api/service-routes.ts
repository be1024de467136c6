// /v3/services: catalog services. Readers may list them; writes are admin's.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isBoolean, isString, nullable, parseBody, type BodySpec } from '../../core/validate.js';
import type { ServiceRow } from '../db/schema.js';
import { createService, deleteService, getService, listServices, updateService, type ServiceInput } from '../domain/services.js';
import { requireMatchingId, requireSomeField } from './catalog-checks.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, queryValue, selfLink, type Params, type Query } from './helpers.js';

const SERVICE_FIELDS: BodySpec = {
  type: { check: isString({ min: 1, max: 255 }) },
  name: { check: isString({ min: 1, max: 255 }) },
  enabled: { check: isBoolean },
  description: { check: nullable(isString({ max: 65535 })) },
};

export function renderService(request: FastifyRequest, s: ServiceRow): Record<string, unknown> {
  return {
    ...parseJson(s.extra),
    id: s.id,
    type: s.type,
    name: s.name,
    enabled: s.enabled === 1,
    // Keystone keeps description as an extra attribute: present only once someone set it.
    ...(s.description ? { description: s.description } : {}),
    links: selfLink(request, `services/${s.id}`),
  };
}

function parseService(body: unknown, create: boolean): ServiceInput & { id?: unknown } {
  const spec = create ? { ...SERVICE_FIELDS, type: { ...SERVICE_FIELDS.type!, required: true } } : SERVICE_FIELDS;
  const { fields, extra } = parseBody(body, 'service', spec, true);
  if (!create) requireSomeField(fields, extra, 'service');
  const id = extra.id;
  delete extra.id;
  delete extra.links;
  return { ...(fields as ServiceInput), extra, id };
}

export function registerServiceRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get('/v3/services', async (request) => {
    await authorize(deps, request, 'identity:list_services');
    const query = request.query as Query;
    const services = await listServices(deps.db, { type: queryValue(query, 'type'), name: queryValue(query, 'name') });
    return collection(request, 'services', services.map((s) => renderService(request, s)));
  });

  app.post('/v3/services', async (request, reply) => {
    await authorize(deps, request, 'identity:create_service');
    const { id: _ignored, ...input } = parseService(request.body, true);
    const service = await createService(deps, { ...input, type: input.type! });
    reply.code(201);
    return { service: renderService(request, service) };
  });

  app.get('/v3/services/:service_id', async (request) => {
    const { service_id } = request.params as Params;
    await authorize(deps, request, 'identity:get_service');
    return { service: renderService(request, await getService(deps.db, service_id!)) };
  });

  app.patch('/v3/services/:service_id', async (request) => {
    const { service_id } = request.params as Params;
    await authorize(deps, request, 'identity:update_service');
    const { id, ...input } = parseService(request.body, false);
    requireMatchingId({ id }, service_id!);
    return { service: renderService(request, await updateService(deps, service_id!, input)) };
  });

  app.delete('/v3/services/:service_id', async (request, reply) => {
    const { service_id } = request.params as Params;
    await authorize(deps, request, 'identity:delete_service');
    await deleteService(deps, service_id!);
    reply.code(204).send();
  });
}

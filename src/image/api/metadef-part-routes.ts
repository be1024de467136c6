// /v2/metadefs/namespaces/{ns}/objects, /properties and /tags.
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { createParts, deleteAllParts, deletePart, getPart, listParts, updatePart } from '../domain/metadefs/parts.js';
import type { ImageDeps } from './deps.js';
import { callerFor, type Params } from './helpers.js';
import { requireObjectBody } from './image-body.js';
import { parseObject, parseProperty, parseTagName } from './metadef-body.js';
import { renderObject, renderProperty, renderTag } from './metadef-render.js';

const BASE = '/v2/metadefs/namespaces/:namespace';

export function registerMetadefPartRoutes(app: FastifyInstance, deps: ImageDeps): void {
  app.get(`${BASE}/objects`, async (request) => {
    const { namespace } = request.params as Params;
    const objects = await listParts(deps, await callerFor(deps, request), 'object', namespace!);
    return { objects: objects.map((o) => renderObject(namespace!, o)), schema: '/v2/schemas/metadefs/objects' };
  });
  app.post(`${BASE}/objects`, async (request, reply) => {
    const { namespace } = request.params as Params;
    const [created] = await createParts(deps, await callerFor(deps, request), 'object', namespace!, [parseObject(request.body)]);
    reply.code(201);
    return renderObject(namespace!, created!);
  });
  app.get(`${BASE}/objects/:name`, async (request) => {
    const { namespace, name } = request.params as Params;
    return renderObject(namespace!, await getPart(deps, await callerFor(deps, request), 'object', namespace!, name!));
  });
  app.put(`${BASE}/objects/:name`, async (request) => {
    const { namespace, name } = request.params as Params;
    const next = parseObject(request.body);
    return renderObject(namespace!, await updatePart(deps, await callerFor(deps, request), 'object', namespace!, name!, next));
  });

  app.get(`${BASE}/properties`, async (request) => {
    const { namespace } = request.params as Params;
    const properties = await listParts(deps, await callerFor(deps, request), 'property', namespace!);
    return { properties: Object.fromEntries(properties.map((p) => [p.name, renderProperty(p)])) };
  });
  app.post(`${BASE}/properties`, async (request, reply) => {
    const { namespace } = request.params as Params;
    const [created] = await createParts(deps, await callerFor(deps, request), 'property', namespace!, [parseProperty(request.body)]);
    reply.code(201);
    return renderProperty(created!);
  });
  app.get(`${BASE}/properties/:name`, async (request) => {
    const { namespace, name } = request.params as Params;
    return renderProperty(await getPart(deps, await callerFor(deps, request), 'property', namespace!, name!));
  });
  app.put(`${BASE}/properties/:name`, async (request) => {
    const { namespace, name } = request.params as Params;
    const next = parseProperty(request.body);
    return renderProperty(await updatePart(deps, await callerFor(deps, request), 'property', namespace!, name!, next));
  });

  app.get(`${BASE}/tags`, async (request) => {
    const { namespace } = request.params as Params;
    return { tags: (await listParts(deps, await callerFor(deps, request), 'tag', namespace!)).map(renderTag) };
  });
  // Glance replaces the namespace's tags unless X-Openstack-Append is true.
  app.post(`${BASE}/tags`, async (request, reply) => {
    const { namespace } = request.params as Params;
    const body = requireObjectBody(request.body, 'tags');
    if (!Array.isArray(body.tags)) throw badRequest("Provided object does not match schema 'tags': 'tags' is a required property");
    const names = body.tags.map(parseTagName);
    const append = String(request.headers['x-openstack-append'] ?? '').toLowerCase() === 'true';
    const created = await createParts(deps, await callerFor(deps, request), 'tag', namespace!, names.map((name) => ({ name, data: {} })), { replaceAll: !append });
    reply.code(201);
    return { tags: created.map((t) => ({ name: t.name })) };
  });
  app.post(`${BASE}/tags/:name`, async (request, reply) => {
    const { namespace, name } = request.params as Params;
    if (name!.length > 255) throw badRequest("Provided object does not match schema 'tag': the name is too long");
    const [created] = await createParts(deps, await callerFor(deps, request), 'tag', namespace!, [{ name: name!, data: {} }]);
    reply.code(201);
    return renderTag(created!);
  });
  app.get(`${BASE}/tags/:name`, async (request) => {
    const { namespace, name } = request.params as Params;
    return renderTag(await getPart(deps, await callerFor(deps, request), 'tag', namespace!, name!));
  });
  app.put(`${BASE}/tags/:name`, async (request) => {
    const { namespace, name } = request.params as Params;
    const next = { name: parseTagName(request.body), data: {} };
    return renderTag(await updatePart(deps, await callerFor(deps, request), 'tag', namespace!, name!, next));
  });

  for (const [segment, kind] of [['objects', 'object'], ['properties', 'property'], ['tags', 'tag']] as const) {
    app.delete(`${BASE}/${segment}/:name`, async (request, reply) => {
      const { namespace, name } = request.params as Params;
      await deletePart(deps, await callerFor(deps, request), kind, namespace!, name!);
      reply.code(204).send();
    });
    app.delete(`${BASE}/${segment}`, async (request, reply) => {
      const { namespace } = request.params as Params;
      await deleteAllParts(deps, await callerFor(deps, request), kind, namespace!);
      reply.code(204).send();
    });
  }
}

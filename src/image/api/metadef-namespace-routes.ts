// /v2/metadefs/namespaces and /v2/metadefs/resource_types.
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { createNamespaceTree } from '../domain/metadefs/namespace-tree.js';
import { deleteNamespace, listNamespaces, loadNamespace, updateNamespace } from '../domain/metadefs/namespaces.js';
import { listParts } from '../domain/metadefs/parts.js';
import { associate, dissociate, listAssociations, listResourceTypes } from '../domain/metadefs/resource-types.js';
import type { ImageDeps } from './deps.js';
import { callerFor, type Params } from './helpers.js';
import { parseAssociation, parseNamespace } from './metadef-body.js';
import {
  renderAssociation, renderNamespace, renderObject, renderProperty, renderResourceType, renderTag,
} from './metadef-render.js';

type Query = Record<string, string | string[] | undefined>;
const last = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[v.length - 1] : v);

export function registerMetadefNamespaceRoutes(app: FastifyInstance, deps: ImageDeps): void {
  app.get('/v2/metadefs/namespaces', async (request) => {
    const caller = await callerFor(deps, request);
    const query = request.query as Query;
    const visibility = last(query.visibility);
    if (visibility !== undefined && visibility !== 'public' && visibility !== 'private') throw badRequest(`Invalid visibility value: ${visibility.slice(0, 40)}`);
    const resourceTypes = last(query.resource_types)?.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const rows = await listNamespaces(deps, caller, { ...(visibility ? { visibility } : {}), ...(resourceTypes ? { resourceTypes } : {}) });
    const namespaces = [];
    for (const row of rows) {
      const associations = await deps.db.selectFrom('metadef_namespace_resource_type').selectAll().where('namespace', '=', row.namespace).execute();
      namespaces.push(renderNamespace(row, associations.length > 0 ? { resource_type_associations: associations.map(renderAssociation) } : {}));
    }
    return { namespaces, first: '/v2/metadefs/namespaces', schema: '/v2/schemas/metadefs/namespaces' };
  });

  app.post('/v2/metadefs/namespaces', async (request, reply) => {
    const caller = await callerFor(deps, request);
    const row = await createNamespaceTree(deps, caller, parseNamespace(request.body));
    reply.code(201);
    return renderNamespace(row);
  });

  app.get('/v2/metadefs/namespaces/:namespace', async (request) => {
    const { namespace } = request.params as Params;
    const caller = await callerFor(deps, request);
    const row = await loadNamespace(deps, caller, namespace!, 'get_metadef_namespace');
    const [associations, objects, properties, tags] = await Promise.all([
      listAssociations(deps, caller, namespace!), listParts(deps, caller, 'object', namespace!),
      listParts(deps, caller, 'property', namespace!), listParts(deps, caller, 'tag', namespace!),
    ]);
    return renderNamespace(row, {
      ...(associations.length > 0 ? { resource_type_associations: associations.map(renderAssociation) } : {}),
      ...(properties.length > 0 ? { properties: Object.fromEntries(properties.map((p) => [p.name, renderProperty(p)])) } : {}),
      ...(objects.length > 0 ? { objects: objects.map((o) => renderObject(namespace!, o)) } : {}),
      ...(tags.length > 0 ? { tags: tags.map(renderTag) } : {}),
    });
  });

  app.put('/v2/metadefs/namespaces/:namespace', async (request) => {
    const { namespace } = request.params as Params;
    const caller = await callerFor(deps, request);
    const input = parseNamespace(request.body);
    return renderNamespace(await updateNamespace(deps, caller, namespace!, input));
  });

  app.delete('/v2/metadefs/namespaces/:namespace', async (request, reply) => {
    const { namespace } = request.params as Params;
    const caller = await callerFor(deps, request);
    await deleteNamespace(deps, caller, namespace!);
    reply.code(204).send();
  });

  app.get('/v2/metadefs/resource_types', async (request) => {
    const caller = await callerFor(deps, request);
    return { resource_types: (await listResourceTypes(deps, caller)).map(renderResourceType) };
  });

  app.get('/v2/metadefs/namespaces/:namespace/resource_types', async (request) => {
    const { namespace } = request.params as Params;
    const caller = await callerFor(deps, request);
    return { resource_type_associations: (await listAssociations(deps, caller, namespace!)).map(renderAssociation) };
  });

  app.post('/v2/metadefs/namespaces/:namespace/resource_types', async (request, reply) => {
    const { namespace } = request.params as Params;
    const caller = await callerFor(deps, request);
    const row = await associate(deps, caller, namespace!, parseAssociation(request.body));
    reply.code(201);
    return renderAssociation(row);
  });

  app.delete('/v2/metadefs/namespaces/:namespace/resource_types/:name', async (request, reply) => {
    const { namespace, name } = request.params as Params;
    const caller = await callerFor(deps, request);
    await dissociate(deps, caller, namespace!, name!);
    reply.code(204).send();
  });
}

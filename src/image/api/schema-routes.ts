// GET /v2/schemas/{name} (and /v2/schemas/metadefs/{name}): the published JSON Schemas.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import { metadefSchemas } from './metadef-schema-docs.js';
import { coreSchemas } from './schema-docs.js';

export function registerSchemaRoutes(app: FastifyInstance): void {
  const schemas: Readonly<Record<string, Record<string, unknown>>> = { ...coreSchemas(), ...metadefSchemas() };
  const serve = async (name: string) => {
    const schema = Object.hasOwn(schemas, name) ? schemas[name] : undefined;
    if (schema === undefined) throw notFound('The resource could not be found.');
    return schema;
  };
  app.get('/v2/schemas/:name', async (request) => {
    await request.requireAuth();
    return serve((request.params as { name: string }).name);
  });
  app.get('/v2/schemas/metadefs/:name', async (request) => {
    await request.requireAuth();
    return serve(`metadefs/${(request.params as { name: string }).name}`);
  });
}

// Request bodies of the metadata-definition API, checked against the published metadef schemas
// (unknown fields refused, read-only fields ignored), into typed domain inputs.
import { badRequest } from '../../core/errors.js';
import type { NamespaceTree } from '../domain/metadefs/namespace-tree.js';
import type { AssociationInput } from '../domain/metadefs/resource-types.js';
import { requireObjectBody } from './image-body.js';
import type { PropertySchema } from './image-schema.js';
import { objectSchema, propertySchema, resourceTypeSchema } from './metadef-schema-docs.js';
import { pyRepr, schemaProblem } from './schema-check.js';

type Shape = { name: string; properties: Record<string, PropertySchema>; required?: readonly string[] };

const READ_ONLY = new Set(['created_at', 'updated_at', 'schema', 'self']);

/** Checks `raw` against a metadef schema's properties; returns it without read-only fields. */
function conform(raw: Record<string, unknown>, shape: Shape, skip: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const fail = (why: string): never => { throw badRequest(`Provided object does not match schema '${shape.name}': ${why}`); };
  for (const key of shape.required ?? []) if (!(key in raw)) fail(`'${key}' is a required property`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (READ_ONLY.has(key)) continue;
    const schema = shape.properties[key];
    if (schema === undefined) fail(`Additional properties are not allowed (${pyRepr(key)} was unexpected)`);
    if (!skip.has(key)) {
      const problem = schemaProblem(value, schema!);
      if (problem !== undefined) fail(problem);
    }
    out[key] = value;
  }
  return out;
}

const NAMESPACE_SHAPE: Shape = {
  name: 'namespace', required: ['namespace'],
  properties: {
    namespace: { type: 'string', minLength: 1, maxLength: 80 },
    display_name: { type: ['string', 'null'], maxLength: 80 },
    description: { type: ['string', 'null'], maxLength: 500 },
    visibility: { type: 'string', enum: ['public', 'private'] },
    protected: { type: 'boolean' },
    owner: { type: ['string', 'null'], maxLength: 255 },
    resource_type_associations: { type: 'array' },
    properties: { type: 'object' },
    objects: { type: 'array' },
    tags: { type: 'array' },
  },
};

export function parseProperty(raw: unknown, name?: string): { name: string; data: Record<string, unknown> } {
  const body = requireObjectBody(raw, 'property');
  const schema = propertySchema() as unknown as Shape;
  const shape: Shape = { ...schema, properties: { ...schema.properties, name: { type: 'string', minLength: 1, maxLength: 80 } } };
  const data = conform(name === undefined ? body : { name, ...body }, { ...shape, required: ['name', 'type', 'title'] }, new Set(['default']));
  const { name: propertyName, ...rest } = data;
  return { name: propertyName as string, data: rest };
}

export function parseObject(raw: unknown): { name: string; data: Record<string, unknown> } {
  const body = requireObjectBody(raw, 'object');
  const schema = objectSchema() as unknown as Shape;
  const data = conform(body, { ...schema, properties: { ...schema.properties, name: { type: 'string', minLength: 1, maxLength: 80 } } }, new Set(['properties']));
  const properties = data.properties;
  if (properties !== undefined) {
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      throw badRequest(`Provided object does not match schema 'object': ${pyRepr(properties)} is not of type 'object'`);
    }
    for (const [key, value] of Object.entries(properties)) parseProperty(value, key);
  }
  const { name, ...rest } = data;
  return { name: name as string, data: rest };
}

export function parseAssociation(raw: unknown): AssociationInput {
  const body = requireObjectBody(raw, 'resource_type_association');
  const schema = resourceTypeSchema() as unknown as Shape;
  const data = conform(body, { ...schema, properties: { ...schema.properties, name: { type: 'string', minLength: 1, maxLength: 80 } } });
  return data as unknown as AssociationInput;
}

export function parseTagName(raw: unknown): string {
  const body = requireObjectBody(raw, 'tag');
  const data = conform(body, { name: 'tag', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 255 } } });
  return data.name as string;
}

export function parseNamespace(raw: unknown): NamespaceTree {
  const body = conform(requireObjectBody(raw, 'namespace'), NAMESPACE_SHAPE);
  const properties = (body.properties ?? {}) as Record<string, unknown>;
  return {
    namespace: body.namespace as string,
    ...(body.display_name !== undefined ? { display_name: body.display_name as string | null } : {}),
    ...(body.description !== undefined ? { description: body.description as string | null } : {}),
    ...(body.visibility !== undefined ? { visibility: body.visibility as string } : {}),
    ...(body.protected !== undefined ? { protected: body.protected as boolean } : {}),
    ...(body.owner !== undefined ? { owner: body.owner as string | null } : {}),
    resource_type_associations: ((body.resource_type_associations ?? []) as unknown[]).map(parseAssociation),
    objects: ((body.objects ?? []) as unknown[]).map(parseObject),
    properties: Object.entries(properties).map(([name, value]) => parseProperty(value, name)),
    tags: ((body.tags ?? []) as unknown[]).map(parseTagName),
  };
}

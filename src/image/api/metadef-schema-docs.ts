// The metadata-definition schemas Glance publishes under /v2/schemas/metadefs/*.
import { collectionSchema } from './schema-docs.js';

const TIME = { type: 'string', readOnly: true, format: 'date-time' };
const stamp = { created_at: { ...TIME, description: 'Date and time of creation (READ-ONLY)' }, updated_at: { ...TIME, description: 'Date and time of the last modification (READ-ONLY)' } };

export function propertySchema(): Record<string, unknown> {
  return {
    name: 'property',
    properties: {
      name: { type: 'string', maxLength: 80 },
      title: { type: 'string' },
      description: { type: 'string' },
      operators: { type: 'array', items: { type: 'string' } },
      type: { type: 'string', enum: ['array', 'boolean', 'integer', 'number', 'object', 'string', null] },
      required: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
      minimum: { type: 'number' },
      maximum: { type: 'number' },
      maxLength: { type: 'integer', minimum: 0 },
      minLength: { type: 'integer', minimum: 0, default: 0 },
      pattern: { type: 'string', format: 'regex' },
      enum: { type: 'array' },
      readonly: { type: 'boolean' },
      default: {},
      items: { type: 'object', properties: { type: { type: 'string', enum: ['array', 'boolean', 'integer', 'number', 'object', 'string', null] }, enum: { type: 'array' } } },
      maxItems: { type: 'integer', minimum: 0 },
      minItems: { type: 'integer', minimum: 0, default: 0 },
      uniqueItems: { type: 'boolean', default: false },
      additionalItems: { type: 'boolean' },
    },
    required: ['type', 'title'],
    additionalProperties: false,
  };
}

export function objectSchema(): Record<string, unknown> {
  return {
    name: 'object',
    properties: {
      name: { type: 'string', maxLength: 80 },
      description: { type: 'string' },
      required: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
      properties: { type: 'object', additionalProperties: { $ref: '#/definitions/property' } },
      schema: { type: 'string', readOnly: true },
      self: { type: 'string', readOnly: true },
      ...stamp,
    },
    required: ['name'],
    additionalProperties: false,
  };
}

export function resourceTypeSchema(): Record<string, unknown> {
  return {
    name: 'resource_type_association',
    properties: {
      name: { type: 'string', maxLength: 80, description: 'Resource type names should be aligned with Heat resource types whenever possible' },
      prefix: { type: 'string', maxLength: 80, description: 'Specifies the prefix to use for the given resource type.' },
      properties_target: { type: 'string', maxLength: 80, description: 'Some resource types allow more than one key / value pair per instance.' },
      ...stamp,
    },
    required: ['name'],
    additionalProperties: false,
  };
}

export function tagSchema(): Record<string, unknown> {
  return { name: 'tag', properties: { name: { type: 'string', maxLength: 255 }, ...stamp }, required: ['name'], additionalProperties: false };
}

export function namespaceSchema(): Record<string, unknown> {
  return {
    name: 'namespace',
    properties: {
      namespace: { type: 'string', maxLength: 80, description: 'The unique namespace text.' },
      display_name: { type: 'string', maxLength: 80, description: 'The user friendly name for the namespace.' },
      description: { type: 'string', maxLength: 500, description: 'Provides a user friendly description of the namespace.' },
      visibility: { type: 'string', enum: ['public', 'private'], description: 'Scope of namespace accessibility.' },
      protected: { type: 'boolean', description: 'If true, namespace will not be deletable.' },
      owner: { type: 'string', maxLength: 255, description: 'Owner of the namespace.' },
      resource_type_associations: { type: 'array', items: resourceTypeSchema() },
      properties: { type: 'object', additionalProperties: { $ref: '#/definitions/property' } },
      objects: { type: 'array', items: objectSchema() },
      tags: { type: 'array', items: tagSchema() },
      schema: { type: 'string', readOnly: true },
      self: { type: 'string', readOnly: true },
      ...stamp,
    },
    required: ['namespace'],
    additionalProperties: false,
    definitions: { property: propertySchema() },
  };
}

/** Glance's DictCollectionSchema: properties are keyed by name, not listed. */
function propertiesSchema(): Record<string, unknown> {
  return {
    name: 'properties',
    properties: {
      properties: { type: 'object', additionalProperties: propertySchema() },
      first: { type: 'string' }, next: { type: 'string' }, schema: { type: 'string' },
    },
    links: [{ rel: 'first', href: '{first}' }, { rel: 'next', href: '{next}' }, { rel: 'describedby', href: '{schema}' }],
  };
}

export function metadefSchemas(): Record<string, Record<string, unknown>> {
  return {
    'metadefs/namespace': namespaceSchema(),
    'metadefs/namespaces': collectionSchema('namespaces', namespaceSchema()),
    'metadefs/resource_type': resourceTypeSchema(),
    'metadefs/resource_types': collectionSchema('resource_type_associations', resourceTypeSchema()),
    'metadefs/object': objectSchema(),
    'metadefs/objects': collectionSchema('objects', objectSchema()),
    'metadefs/property': propertySchema(),
    'metadefs/properties': propertiesSchema(),
    'metadefs/tag': tagSchema(),
    'metadefs/tags': collectionSchema('tags', tagSchema()),
  };
}

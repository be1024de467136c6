// JSON views of metadata definitions, as Glance renders them.
import type { MetadefNamespaceResourceTypeRow, MetadefNamespaceRow, MetadefResourceTypeRow } from '../db/schema.js';
import type { Part } from '../domain/metadefs/parts.js';
import { glanceTime } from './helpers.js';

const enc = encodeURIComponent;
const times = (r: { created_at: string; updated_at: string }) => ({ created_at: glanceTime(r.created_at), updated_at: glanceTime(r.updated_at) });

export function renderNamespace(row: MetadefNamespaceRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    namespace: row.namespace,
    ...(row.display_name !== null ? { display_name: row.display_name } : {}),
    ...(row.description !== null ? { description: row.description } : {}),
    visibility: row.visibility,
    protected: Number(row.protected) === 1,
    owner: row.owner,
    ...times(row),
    ...extra,
    schema: '/v2/schemas/metadefs/namespace',
    self: `/v2/metadefs/namespaces/${enc(row.namespace)}`,
  };
}

export function renderAssociation(row: MetadefNamespaceResourceTypeRow): Record<string, unknown> {
  return {
    name: row.resource_type,
    ...(row.prefix !== null ? { prefix: row.prefix } : {}),
    ...(row.properties_target !== null ? { properties_target: row.properties_target } : {}),
    ...times(row),
  };
}

export function renderResourceType(row: MetadefResourceTypeRow): Record<string, unknown> {
  return { name: row.name, ...times(row) };
}

export function renderObject(namespace: string, part: Part): Record<string, unknown> {
  return {
    name: part.name,
    ...(part.data.description !== undefined && part.data.description !== null ? { description: part.data.description } : {}),
    required: part.data.required ?? [],
    properties: part.data.properties ?? {},
    ...times(part),
    schema: '/v2/schemas/metadefs/object',
    self: `/v2/metadefs/namespaces/${enc(namespace)}/objects/${enc(part.name)}`,
  };
}

/** A property definition: its schema fragment plus its name. */
export function renderProperty(part: Part): Record<string, unknown> {
  return { name: part.name, ...part.data };
}

export function renderTag(part: Part): Record<string, unknown> {
  return { name: part.name, ...times(part) };
}

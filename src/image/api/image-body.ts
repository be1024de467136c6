// POST /v2/images body → NewImage, with Glance's order of refusals: read-only links (403), the
// image schema (400), then reserved or oversized property names (403/400) and read-only
// attributes such as status (403).
import { badRequest, forbidden } from '../../core/errors.js';
import { DISALLOWED_ON_CREATE, READONLY_ATTRIBUTES, WRITABLE_ATTRIBUTES, isReservedName } from '../domain/constants.js';
import type { NewImage } from '../domain/image-create.js';
import { schemaFor } from './image-schema.js';
import { assertMatchesSchema, pyRepr } from './schema-check.js';

export function requireObjectBody(body: unknown, schema: string): Record<string, unknown> {
  if (body === undefined) throw badRequest('Body expected in request.');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`Provided object does not match schema '${schema}': ${pyRepr(body)} is not of type 'object'`);
  }
  return body as Record<string, unknown>;
}

export function assertPropertyName(name: string): void {
  if (name.length > 255) throw badRequest('Custom property should not be greater than 255 characters.');
  if (name.length === 0) throw badRequest('Custom property names may not be empty.');
  if (isReservedName(name)) throw forbidden(`Attribute '${name}' is reserved.`);
}

export function parseNewImage(body: unknown): NewImage {
  const raw = requireObjectBody(body, 'image');
  for (const key of Object.keys(raw)) {
    if (DISALLOWED_ON_CREATE.has(key)) throw forbidden(`Attribute '${key}' is read-only.`);
  }
  for (const [key, value] of Object.entries(raw)) assertMatchesSchema('image', value, schemaFor(key));
  const image: Record<string, unknown> = {};
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'id' || WRITABLE_ATTRIBUTES.has(key)) image[key] = value;
    else if (READONLY_ATTRIBUTES.has(key) || key === 'locations') throw forbidden(`Attribute '${key}' is read-only.`);
    else {
      assertPropertyName(key);
      properties[key] = value as string;
    }
  }
  const tags = (image.tags as string[] | undefined) ?? [];
  delete image.tags;
  return { ...(image as Omit<NewImage, 'tags' | 'properties'>), tags, properties };
}

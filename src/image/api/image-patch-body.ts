// PATCH /v2/images/{id}: Glance's two JSON-Patch dialects (v2.0 is draft 4: {"replace": "/name"},
// v2.1 is draft 10: {"op": "replace", "path": "/name"}) parsed into typed changes. Every
// operation is checked before any is applied; paths are one level deep (locations aside).
import { ApiError, badRequest, forbidden } from '../../core/errors.js';
import { READONLY_ATTRIBUTES, WRITABLE_ATTRIBUTES, isReservedName } from '../domain/constants.js';
import type { ImageChange } from '../domain/image-update.js';
import { assertPropertyName } from './image-body.js';
import { schemaFor } from './image-schema.js';
import { assertMatchesSchema } from './schema-check.js';

export const PATCH_CONTENT_TYPES: Readonly<Record<string, 4 | 10>> = {
  'application/openstack-images-v2.0-json-patch': 4,
  'application/openstack-images-v2.1-json-patch': 10,
};
const OPS = ['add', 'remove', 'replace'] as const;
type Op = (typeof OPS)[number];
const MAX_OPERATIONS = 1000;

export function patchDraft(contentType: string | undefined): 4 | 10 {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const draft = PATCH_CONTENT_TYPES[type];
  if (draft === undefined) {
    throw new ApiError(415, `Unsupported Content-Type: ${type || 'none'}`, 'UnsupportedMediaType', {
      'accept-patch': Object.keys(PATCH_CONTENT_TYPES).sort().join(', '),
    });
  }
  return draft;
}

function operationOf(raw: Record<string, unknown>, draft: 4 | 10): { op: Op; path: unknown } {
  if (draft === 10) {
    const op = raw.op;
    if (op === undefined) throw badRequest(`Unable to find \`op\` in JSON Schema change. It must be one of the following: ${OPS.join(', ')}.`);
    if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
      throw badRequest(`Invalid operation: \`${String(op).slice(0, 40)}\`. It must be one of the following: ${OPS.join(', ')}.`);
    }
    if (!('path' in raw)) throw badRequest("Unable to find 'path' in JSON Schema change");
    return { op: op as Op, path: raw.path };
  }
  const present = OPS.filter((k) => k in raw);
  if (present.length > 1) throw badRequest('Operation objects must contain only one member named "add", "remove", or "replace".');
  if (present.length === 0) throw badRequest('Operation objects must contain exactly one member named "add", "remove", or "replace".');
  return { op: present[0]!, path: raw[present[0]!] };
}

/** Glance's restricted JSON pointer: starts with '/', no empty tokens, only ~0 and ~1 escapes. */
export function decodePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw badRequest('Pointer must be a string.');
  const shown = pointer.slice(0, 80);
  if (!pointer.startsWith('/')) throw badRequest(`Pointer \`${shown}\` does not start with "/".`);
  if (/\/\s*\//.test(pointer.slice(1))) throw badRequest(`Pointer \`${shown}\` contains adjacent "/".`);
  if (pointer.length > 1 && pointer.endsWith('/')) throw badRequest(`Pointer \`${shown}\` end with "/".`);
  if (pointer.slice(1).trim() === '') throw badRequest(`Pointer \`${shown}\` does not contains valid token.`);
  if (/~[^01]/.test(pointer) || pointer.endsWith('~')) {
    throw badRequest(`Pointer \`${shown}\` contains "~" not part of a recognized escape sequence.`);
  }
  return pointer.replace(/^\/+/, '').split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~').trim());
}

function checkPath(op: Op, path: string[]): string {
  const root = path[0]!;
  if (root === 'locations') {
    const depth = op === 'replace' ? 1 : 2;
    if (path.length !== depth) throw badRequest(`Invalid JSON pointer for this resource: '/${path.join('/').slice(0, 80)}'`);
    return root;
  }
  if (path.length !== 1) throw badRequest(`Invalid JSON pointer for this resource: '/${path.join('/').slice(0, 80)}'`);
  return root;
}

function parseChange(raw: unknown, draft: 4 | 10): ImageChange {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('Operations must be JSON objects.');
  const record = raw as Record<string, unknown>;
  const { op, path } = operationOf(record, draft);
  const segments = decodePointer(path);
  const name = checkPath(op, segments);
  if (op !== 'remove' && !('value' in record)) throw badRequest(`Operation "${op}" requires a member named "value".`);
  if (READONLY_ATTRIBUTES.has(name)) throw forbidden(`Attribute '${name}' is read-only.`);
  if (isReservedName(name)) throw forbidden(`Attribute '${name}' is reserved.`);
  if (op !== 'remove') {
    // '/locations/N' names one element of the array: check the element against the item schema.
    const schema = schemaFor(name);
    assertMatchesSchema('image', record.value, segments.length > 1 && schema.items ? schema.items : schema);
  }
  // Locations are not shown by this service (show_multiple_locations = False).
  if (name === 'locations') throw forbidden(`It's not allowed to ${op === 'remove' ? 'remove' : 'update'} locations if locations are invisible.`);
  if (!WRITABLE_ATTRIBUTES.has(name)) assertPropertyName(name);
  return { op, name, draft, ...(op === 'remove' ? {} : { value: record.value }) };
}

export function parsePatch(contentType: string | undefined, body: unknown): ImageChange[] {
  const draft = patchDraft(contentType);
  if (body === undefined) throw badRequest('Body expected in request.');
  if (!Array.isArray(body)) throw badRequest('Request body must be a JSON array of operation objects.');
  if (body.length > MAX_OPERATIONS) throw badRequest(`A patch may hold at most ${MAX_OPERATIONS} operations.`);
  return body.map((raw) => parseChange(raw, draft));
}

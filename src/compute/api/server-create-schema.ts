// POST /servers request schemas, transcribed from nova/api/openstack/compute/schemas/servers.py
// (base_create and its microversion steps):
//   2.19 description; 2.32 tag on networks and bdm v2 (2.32 only); 2.33 tag on networks only;
//   2.37 networks required, 'auto' | 'none' | a list with uuid formatted; 2.42 tags again on both;
//   2.52 server tags; 2.57 no personality; 2.63 trusted_image_certificates; 2.67 bdm volume_type;
//   2.74 host / hypervisor_hostname; 2.90 hostname; 2.94 hostname may be an FQDN.
// The validator has no oneOf, so `networks` (array or enum from 2.37) is checked by networksSchema()
// once its JSON type is known, and formats carry Nova's complete messages.
import { isIP } from 'node:net';
import type { Microversion } from './microversion.js';
import {
  booleanType, descriptionType, nameType, pyRepr, pyStr, positiveIntegerType, MAX_INT, type Schema,
} from './validation.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A format check with the message Nova's validator writes ("Invalid input for field/attribute x. Value: v. 'v' is not a 'uuid'"). */
function formatted(field: string, ok: (value: string) => boolean, what: string): (value: string) => string | undefined {
  return (value) => ok(value) ? undefined : `Invalid input for field/attribute ${field}. Value: ${pyStr(value)}. ${pyRepr(value)} is not a '${what}'`;
}

/** oneOf over formats: jsonschema's "is not valid under any of the given schemas". */
function oneOfFormats(field: string, ok: (value: string) => boolean): (value: string) => string | undefined {
  return (value) => ok(value) ? undefined : `Invalid input for field/attribute ${field}. Value: ${pyStr(value)}. ${pyRepr(value)} is not valid under any of the given schemas`;
}

export const isUuid = (value: string): boolean => UUID.test(value);

/** Nova's base64 format: what base64.decodebytes accepts (the alphabet, whitespace, right padding). */
export function isBase64(value: string): boolean {
  const compact = value.replace(/[\s]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return false;
  return compact.length % 4 === 0;
}

export const uuidOf = (field: string): Schema => ({ type: 'string', format: formatted(field, isUuid, 'uuid') });
export const ipAddress = (field: string): Schema => ({ type: 'string', format: oneOfFormats(field, (v) => isIP(v) !== 0) });

/** parameter_types.tag */
export const tagType: Schema = { type: 'string', maxLength: 60, pattern: /^[^,/]*$/ };

/** parameter_types.metadata */
export const metadataType: Schema = {
  type: 'object',
  patternProperties: [[/^[a-zA-Z0-9-_:. ]{1,255}$/, { type: 'string', maxLength: 255 }]],
  additionalProperties: false,
};

const volumeSize: Schema = { type: ['integer', 'string'], pattern: /^[0-9]+$/, minimum: 1, maximum: MAX_INT };

function legacyBdm(): Record<string, Schema> {
  return {
    virtual_name: { type: 'string', maxLength: 255 },
    volume_id: uuidOf('volume_id'),
    snapshot_id: uuidOf('snapshot_id'),
    volume_size: volumeSize,
    device_name: { type: 'string', minLength: 1, maxLength: 255, pattern: /^[a-zA-Z0-9._\-r/]*$/ },
    delete_on_termination: booleanType,
    no_device: {},
    connection_info: { type: 'string', maxLength: 16777215 },
  };
}

function bdmV2(tag: boolean, volumeType: boolean): Schema {
  const properties: Record<string, Schema> = {
    ...legacyBdm(),
    source_type: { type: 'string', enum: ['volume', 'image', 'snapshot', 'blank'] },
    uuid: { type: 'string', minLength: 1, maxLength: 255, pattern: /^[a-zA-Z0-9._-]*$/ },
    image_id: uuidOf('image_id'),
    destination_type: { type: 'string', enum: ['local', 'volume'] },
    guest_format: { type: 'string', maxLength: 255 },
    device_type: { type: 'string', maxLength: 255 },
    disk_bus: { type: 'string', maxLength: 255 },
    boot_index: { type: ['integer', 'string', 'null'], pattern: /^-?[0-9]+$/ },
  };
  if (tag) properties.tag = tagType;
  if (volumeType) properties.volume_type = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
  return { type: 'object', properties, additionalProperties: false };
}

/** One item of `networks`. */
function networkItem(opts: { tag: boolean; uuidFormat: boolean }): Schema {
  const properties: Record<string, Schema> = {
    fixed_ip: ipAddress('fixed_ip'),
    // oneOf [uuid string, null]
    port: { type: ['string', 'null'], format: oneOfFormats('port', isUuid) },
    uuid: opts.uuidFormat ? uuidOf('uuid') : { type: 'string' },
  };
  if (opts.tag) properties.tag = tagType;
  return { type: 'object', properties, additionalProperties: false };
}

const hintsSchema: Schema = {
  type: 'object',
  properties: {
    group: uuidOf('group'),
    // different_host: oneOf [uuid string, array of uuids]; same_host: string or array of uuids.
    different_host: { type: ['string', 'array'], items: uuidOf('different_host') },
    same_host: { type: ['string', 'array'], items: uuidOf('same_host') },
    query: { type: ['string', 'object'] },
    target_cell: nameType,
    different_cell: { type: ['string', 'array'], items: { type: 'string' } },
    build_near_host_ip: ipAddress('build_near_host_ip'),
    cidr: { type: 'string', pattern: /^\/[0-9a-f.:]+$/ },
  },
  additionalProperties: true,
};

/** parameter_types.personality (files to inject, before 2.57). */
const personalityType: Schema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { path: { type: 'string' }, contents: { type: 'string', format: formatted('contents', isBase64, 'base64') } },
    additionalProperties: false,
  },
};

/** parameter_types.fqdn (2.74 host / hypervisor_hostname, 2.94 hostname). */
const fqdnType: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: /^[a-zA-Z0-9-._]*$/ };
/** parameter_types.hostname of 2.90: one RFC 1123 label. */
const hostnameType: Schema = { type: 'string', minLength: 1, maxLength: 63, pattern: /^[a-zA-Z0-9]+[a-zA-Z0-9-]*$/ };

/** The `networks` schema at this version for a value of this JSON shape (oneOf from 2.37). */
export function networksSchema(mv: Microversion, value: unknown): Schema {
  const tag = mv.atLeast('2.42') || mv.within('2.32', '2.36');
  const item = networkItem({ tag, uuidFormat: mv.atLeast('2.37') });
  if (!mv.atLeast('2.37')) return { type: 'array', items: item };
  if (typeof value === 'string') return { type: 'string', enum: ['none', 'auto'] };
  // Anything else is refused by the route with networksOneOfMessage() before validation.
  return { type: 'array', items: item };
}

/** The create schema at the request's microversion (networks checked separately, see networksSchema). */
export function createSchema(mv: Microversion, networks: unknown): Schema {
  const server: Record<string, Schema> = {
    name: nameType,
    // image_id_or_empty_string: a uuid or ''
    imageRef: { type: 'string', format: (v) => v === '' || isUuid(v) ? undefined : `Invalid input for field/attribute imageRef. Value: ${pyStr(v)}. ${pyRepr(v)} is not valid under any of the given schemas` },
    flavorRef: { type: ['string', 'integer'], minLength: 1 },
    adminPass: { type: 'string' },
    metadata: metadataType,
    networks: networksSchema(mv, networks),
    'OS-DCF:diskConfig': { type: 'string', enum: ['AUTO', 'MANUAL'] },
    accessIPv4: { type: 'string', format: formatted('accessIPv4', (v) => isIP(v) === 4, 'ipv4') },
    accessIPv6: { type: 'string', format: formatted('accessIPv6', (v) => isIP(v) === 6, 'ipv6') },
    availability_zone: nameType,
    block_device_mapping: { type: 'array', items: { type: 'object', properties: legacyBdm(), additionalProperties: false } },
    block_device_mapping_v2: { type: 'array', items: bdmV2(mv.atLeast('2.42') || mv.within('2.32', '2.32'), mv.atLeast('2.67')) },
    config_drive: booleanType,
    key_name: nameType,
    min_count: positiveIntegerType,
    max_count: positiveIntegerType,
    return_reservation_id: booleanType,
    security_groups: {
      type: 'array',
      items: { type: 'object', properties: { name: nameType }, additionalProperties: false },
    },
    user_data: { type: 'string', format: formatted('user_data', isBase64, 'base64'), maxLength: 65535 },
  };
  if (!mv.atLeast('2.57')) server.personality = personalityType;
  if (mv.atLeast('2.19')) server.description = descriptionType;
  if (mv.atLeast('2.52')) server.tags = { type: 'array', items: tagType, maxItems: 50 };
  if (mv.atLeast('2.63')) {
    server.trusted_image_certificates = {
      type: ['array', 'null'], minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1 },
    };
  }
  if (mv.atLeast('2.74')) {
    server.host = fqdnType;
    server.hypervisor_hostname = fqdnType;
  }
  if (mv.atLeast('2.90')) server.hostname = mv.atLeast('2.94') ? fqdnType : hostnameType;
  const required = mv.atLeast('2.37') ? ['name', 'flavorRef', 'networks'] : ['name', 'flavorRef'];
  return {
    type: 'object',
    properties: {
      server: { type: 'object', properties: server, required, additionalProperties: false },
      'os:scheduler_hints': hintsSchema,
      'OS-SCH-HNT:scheduler_hints': hintsSchema,
    },
    required: ['server'],
    additionalProperties: false,
  };
}

/** jsonschema's oneOf failure for a `networks` value that is neither a list nor a string (2.37+). */
export function networksOneOfMessage(value: unknown): string {
  return `Invalid input for field/attribute networks. Value: ${pyStr(value)}. ${pyRepr(value)} is not valid under any of the given schemas`;
}

/** Server tags and trusted certs must be unique (jsonschema uniqueItems; the validator lacks it). */
export function nonUniqueMessage(field: string, value: readonly unknown[]): string | undefined {
  const seen = new Set<string>();
  for (const item of value) {
    const key = JSON.stringify(item);
    if (seen.has(key)) return `Invalid input for field/attribute ${field}. Value: ${pyStr(value)}. ${pyRepr(value)} has non-unique elements`;
    seen.add(key);
  }
  return undefined;
}

/** The rebuild action's body (schemas/servers.py base_rebuild and its 2.19/2.54/2.57/2.63/2.90/2.94 steps). */
export function rebuildSchema(mv: Microversion): Schema {
  const rebuild: Record<string, Schema> = {
    name: nameType,
    imageRef: { type: 'string', format: formatted('imageRef', isUuid, 'uuid') },
    adminPass: { type: 'string' },
    metadata: metadataType,
    preserve_ephemeral: booleanType,
    'OS-DCF:diskConfig': { type: 'string', enum: ['AUTO', 'MANUAL'] },
    accessIPv4: { type: 'string', format: formatted('accessIPv4', (v) => isIP(v) === 4, 'ipv4') },
    accessIPv6: { type: 'string', format: formatted('accessIPv6', (v) => isIP(v) === 6, 'ipv6') },
  };
  if (!mv.atLeast('2.57')) rebuild.personality = personalityType;
  if (mv.atLeast('2.19')) rebuild.description = descriptionType;
  if (mv.atLeast('2.54')) rebuild.key_name = { ...nameType, type: ['string', 'null'] };
  if (mv.atLeast('2.57')) rebuild.user_data = { type: ['string', 'null'], format: formatted('user_data', isBase64, 'base64'), maxLength: 65535 };
  if (mv.atLeast('2.63')) rebuild.trusted_image_certificates = { type: ['array', 'null'], minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1 } };
  if (mv.atLeast('2.90')) rebuild.hostname = mv.atLeast('2.94') ? fqdnType : hostnameType;
  return {
    type: 'object',
    properties: { rebuild: { type: 'object', properties: rebuild, required: ['imageRef'], additionalProperties: false } },
    required: ['rebuild'],
    additionalProperties: false,
  };
}

// Neutron's resource attribute maps and the API layer that applies them (neutron/api/v2/base.py):
// which attributes a POST may set, which a PUT may change, which are required, their defaults,
// and the validator/converter of each. Unknown or read-only attributes are refused with 400.
import { badAttribute } from '../domain/errors.js';
import type { Caller } from '../domain/caller.js';
import type { Validator } from './validators.js';

export interface AttrSpec {
  /** May be given on create (allow_post). */
  readonly post?: boolean;
  /** May be changed by update (allow_put). */
  readonly put?: boolean;
  /** Must be given on create. */
  readonly required?: boolean;
  /** Applied on create when absent; a function is called per request. */
  readonly default?: unknown;
  readonly validate?: Validator;
}

export type AttrMap = Readonly<Record<string, AttrSpec>>;

export type Attrs = Record<string, unknown>;

/** project_id and tenant_id are one attribute with two names; both are accepted everywhere. */
const OWNER_KEYS = ['project_id', 'tenant_id'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The single resource object in `{"network": {...}}`, with Neutron's messages when it is not there. */
export function resourceBody(body: unknown, resource: string): Record<string, unknown> {
  if (body === undefined || body === null) throw badAttribute('Resource body required');
  if (!isObject(body)) throw badAttribute('Body contains invalid data');
  const item = body[resource];
  if (item === undefined) throw badAttribute(`Unable to find '${resource}' in request body`);
  if (!isObject(item)) throw badAttribute(`Invalid format: ${resource} must be an object`);
  return item;
}

function checkKnown(item: Record<string, unknown>, map: AttrMap): void {
  const unknown = Object.keys(item).filter((key) => map[key] === undefined && !OWNER_KEYS.includes(key));
  if (unknown.length > 0) throw badAttribute(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
}

/**
 * The owner of a new resource: the caller's project unless an admin names another. Neutron
 * refuses a non-admin naming any other project, and project_id/tenant_id that disagree.
 */
function ownerOf(item: Record<string, unknown>, caller: Caller): string {
  const project = item.project_id;
  const tenant = item.tenant_id;
  for (const [key, value] of [['project_id', project], ['tenant_id', tenant]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length > 255 || value.includes('\u0000'))) {
      throw badAttribute(`Invalid input for ${key}. Reason: '${String(value)}' is not a valid string.`);
    }
  }
  if (project !== undefined && tenant !== undefined && project !== tenant) throw badAttribute("'project_id' and 'tenant_id' do not match");
  const owner = (project ?? tenant) as string | undefined;
  if (owner === undefined || owner === '') {
    if (caller.projectId === '') throw badAttribute("Failed to parse request. Required attribute 'project_id' not specified");
    return caller.projectId;
  }
  if (owner !== caller.projectId && !caller.isAdmin) {
    throw badAttribute("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges");
  }
  return owner;
}

/**
 * Validates one resource of a POST: refuses unknown attributes and those a POST may not set,
 * requires the required ones, converts values and fills defaults. The result always has
 * `project_id`. `given` lists the attributes the client actually sent (policy checks need it).
 */
export function parseCreate(item: Record<string, unknown>, map: AttrMap, caller: Caller): { attrs: Attrs; given: Set<string> } {
  checkKnown(item, map);
  const attrs: Attrs = {};
  const given = new Set<string>();
  for (const [key, spec] of Object.entries(map)) {
    if (OWNER_KEYS.includes(key)) continue;
    const value = item[key];
    if (value === undefined) {
      if (spec.required) throw badAttribute(`Failed to parse request. Required attribute '${key}' not specified`);
      if (spec.post && spec.default !== undefined) attrs[key] = typeof spec.default === 'function' ? (spec.default as () => unknown)() : spec.default;
      continue;
    }
    if (!spec.post) throw badAttribute(`Attribute '${key}' not allowed in POST`);
    attrs[key] = spec.validate ? spec.validate(value, key) : value;
    given.add(key);
  }
  attrs.project_id = ownerOf(item, caller);
  if (item.project_id !== undefined || item.tenant_id !== undefined) given.add('project_id');
  return { attrs, given };
}

/** Validates a PUT: only attributes the map lets a PUT change, converted. */
export function parseUpdate(item: Record<string, unknown>, map: AttrMap): Attrs {
  checkKnown(item, map);
  const attrs: Attrs = {};
  for (const [key, value] of Object.entries(item)) {
    const spec = OWNER_KEYS.includes(key) ? undefined : map[key];
    if (spec === undefined || !spec.put) throw badAttribute(`Cannot update read-only attribute ${key}`);
    attrs[key] = spec.validate ? spec.validate(value, key) : value;
  }
  return attrs;
}

/**
 * A POST body: one resource (`{"network": {...}}`) or Neutron's bulk form
 * (`{"networks": [{...}, …]}`). Returns the items and whether the bulk form was used.
 */
export function createItems(body: unknown, resource: string, collection: string): { items: Record<string, unknown>[]; bulk: boolean } {
  if (isObject(body) && body[collection] !== undefined && body[resource] === undefined) {
    const list = body[collection];
    if (!Array.isArray(list) || list.length === 0) throw badAttribute(`Resources required`);
    if (list.length > 1000) throw badAttribute('Too many resources in one bulk request (at most 1000)');
    if (!list.every(isObject)) throw badAttribute(`Invalid format: every item of ${collection} must be an object`);
    // Neutron's prepare_request_body also accepts wrapped items: {"networks": [{"network": {...}}]}.
    const items = (list as Record<string, unknown>[]).map((item) => {
      const keys = Object.keys(item);
      return keys.length === 1 && keys[0] === resource && isObject(item[resource]) ? item[resource] as Record<string, unknown> : item;
    });
    return { items, bulk: true };
  }
  return { items: [resourceBody(body, resource)], bulk: false };
}

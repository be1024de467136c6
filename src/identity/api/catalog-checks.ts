// Field checks the catalog and credential schemas share (Keystone's parameter_types), in the
// shape of core/validate.ts: each returns the parsed value or throws a 400 naming the field.
import { badRequest } from '../../core/errors.js';
import { isObject, isString, type Check } from '../../core/validate.js';

export const INTERFACES = ['admin', 'internal', 'public'] as const;
export type EndpointInterface = (typeof INTERFACES)[number];

export const isOneOf = <T extends string>(values: readonly T[]): Check<T> => (value, field) => {
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    throw badRequest(`Invalid input for field '${field}': ${JSON.stringify(value)?.slice(0, 40)} is not one of ${JSON.stringify(values)}.`);
  }
  return value as T;
};

/** parameter_types.id_string: what Keystone accepts as a client-chosen identifier. */
export const isIdString: Check<string> = isString({ min: 1, max: 64, pattern: /^[a-zA-Z0-9-]+$/ });

/** parameter_types.name: 1 to 255 characters, not only whitespace. */
export const isName: Check<string> = isString({ min: 1, max: 255, pattern: /\S/ });

/** Region ids are chosen by clients: any printable text that fits the column. */
export const isRegionId: Check<string> = isString({ min: 0, max: 255, pattern: /^[^\u0000-\u001f\u007f]*$/ });

/** The endpoint schema's url: a scheme, a colon, something after it, at most 225 characters. */
export const isEndpointUrl: Check<string> = isString({ min: 0, max: 225, pattern: /^[a-zA-Z0-9+.-]+:.+/ });

// keystone.common.utils.WHITELISTED_PROPERTIES: the only names `$(name)s` may substitute.
const SUBSTITUTABLE = new Set([
  'tenant_id', 'project_id', 'user_id', 'public_bind_host', 'admin_bind_host',
  'compute_host', 'admin_port', 'public_port', 'public_endpoint', 'admin_endpoint',
]);

/**
 * Keystone formats endpoint URLs with Python's `%` operator after turning `$(` into `%(`, and
 * refuses (on create) any URL that would not format: unknown names, stray `%` signs.
 */
export function assertFormattableUrl(url: string): void {
  const text = url.replaceAll('$(', '%(');
  const spec = /^%(?:%|\(([^)]*)\)[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlL]?[diouxXeEfFgGcrsa])/;
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i)) {
    const match = spec.exec(text.slice(i));
    if (!match || (match[1] !== undefined && !SUBSTITUTABLE.has(match[1]))) {
      throw badRequest(`Cannot create an endpoint with an invalid URL: ${url}.`);
    }
    i += match[0].length;
  }
}

/** Keystone's _require_matching_id: a body may repeat the URL's id but never change it. */
export function requireMatchingId(body: Record<string, unknown>, id: string): void {
  if (body.id !== undefined && body.id !== null && body.id !== id) throw badRequest('Cannot change ID');
}

/** An update body must change something (JSON schema minProperties: 1). */
export function requireSomeField(fields: Record<string, unknown>, extra: Record<string, unknown>, key: string): void {
  if (Object.keys(fields).length + Object.keys(extra).length === 0) {
    throw badRequest(`Invalid input for field '${key}': {} does not have enough properties.`);
  }
}

/** Fields of a nested object, each optional, nothing else allowed (additionalProperties: false). */
export const isStrictObject = (spec: Readonly<Record<string, Check<unknown>>>): Check<Record<string, unknown>> => (value, field) => {
  const obj = isObject(value, field);
  for (const [key, v] of Object.entries(obj)) {
    const check = spec[key];
    if (!check) throw badRequest(`Invalid input for field '${field}': additional property '${key.slice(0, 40)}' is not allowed.`);
    check(v, `${field}.${key}`);
  }
  return obj;
};

/** A role named by exactly one of id or name (application credentials, trusts). */
export const isRoleRef: Check<{ id?: string; name?: string }> = (value, field) => {
  const ref = isStrictObject({ id: isIdString, name: isName })(value, field);
  if (Object.keys(ref).length !== 1) throw badRequest(`Invalid input for field '${field}': give exactly one of id or name.`);
  return ref as { id?: string; name?: string };
};

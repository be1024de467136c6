// Request-body checking: each field has a check that returns the parsed value or throws a 400
// naming the field, so handlers receive typed values and never half-valid input.
import { badRequest } from './errors.js';

export type Check<T> = (value: unknown, field: string) => T;

const describe = (v: unknown): string => (v === null ? 'None' : typeof v === 'string' ? `'${v.slice(0, 40)}'` : JSON.stringify(v)?.slice(0, 40) ?? String(v));
const fail = (field: string, value: unknown, why: string): never => {
  throw badRequest(`Invalid input for field '${field}': ${describe(value)} ${why}.`);
};

export interface StringRules { readonly min?: number; readonly max?: number; readonly pattern?: RegExp }

export const isString = (rules: StringRules = {}): Check<string> => (value, field) => {
  if (typeof value !== 'string') return fail(field, value, "is not of type 'string'");
  if (value.length < (rules.min ?? 0)) return fail(field, value, `is too short (at least ${rules.min ?? 0} characters)`);
  if (value.length > (rules.max ?? 255)) return fail(field, value, `is too long (at most ${rules.max ?? 255} characters)`);
  if (rules.pattern && !rules.pattern.test(value)) return fail(field, value, `does not match '${rules.pattern.source}'`);
  return value;
};

export const isBoolean: Check<boolean> = (value, field) =>
  typeof value === 'boolean' ? value : fail(field, value, "is not of type 'boolean'");

export const isInteger = (min = 0, max = Number.MAX_SAFE_INTEGER): Check<number> => (value, field) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fail(field, value, `is not an integer from ${min} to ${max}`);

export const nullable = <T>(check: Check<T>): Check<T | null> => (value, field) => (value === null ? null : check(value, field));

export const isObject: Check<Record<string, unknown>> = (value, field) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : fail(field, value, "is not of type 'object'");

export const isArrayOf = <T>(item: Check<T>, maxItems = 1000): Check<T[]> => (value, field) => {
  if (!Array.isArray(value)) return fail(field, value, "is not of type 'array'");
  if (value.length > maxItems) return fail(field, value, `has more than ${maxItems} items`);
  return value.map((v, i) => item(v, `${field}[${i}]`));
};

/** An ISO 8601 timestamp, returned as a normalised ISO string. */
export const isTimestamp: Check<string> = (value, field) => {
  if (typeof value !== 'string' || value.length > 40 || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/.test(value)) {
    return fail(field, value, 'is not a valid ISO 8601 timestamp');
  }
  const ms = Date.parse(/Z|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? fail(field, value, 'is not a valid ISO 8601 timestamp') : new Date(ms).toISOString();
};

export interface FieldSpec { readonly check: Check<unknown>; readonly required?: boolean }

export type BodySpec = Readonly<Record<string, FieldSpec>>;

/**
 * Checks the object under `key` of a request body. Unknown fields are returned in `extra` when
 * `allowExtra` (Keystone keeps them as extra attributes), and refused otherwise.
 */
export function parseBody(body: unknown, key: string, spec: BodySpec, allowExtra: boolean): { fields: Record<string, unknown>; extra: Record<string, unknown> } {
  const outer = isObject(body ?? null, 'request body');
  const inner = isObject(outer[key] ?? null, key);
  const fields: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(spec)) {
    if (inner[name] === undefined) {
      if (rule.required) throw badRequest(`Invalid input for field '${key}': '${name}' is a required property.`);
      continue;
    }
    fields[name] = rule.check(inner[name], name);
  }
  for (const [name, value] of Object.entries(inner)) {
    if (name in spec) continue;
    if (!allowExtra) throw badRequest(`Invalid input for field '${key}': additional property '${name.slice(0, 40)}' is not allowed.`);
    extra[name] = value;
  }
  return { fields, extra };
}

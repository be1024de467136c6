// Request validation as Nova does it (nova/api/validation): a JSON-Schema subset checked in the
// order Nova's schemas list their keywords, failing on the first error with Nova's message:
//   body:  "Invalid input for field/attribute ram. Value: abc. 'abc' is not of type 'integer', 'string'"
//   query: "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'"
// and the bare jsonschema message when the error is at the top ("'flavor' is a required property").
// Values print as Python prints them (str() for the value, repr() inside the message).
import { ApiError } from '../../core/errors.js';

export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

export interface Schema {
  readonly type?: JsonType | readonly JsonType[];
  readonly enum?: readonly unknown[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** A format check: returns the complete fault message when the value is refused. */
  readonly format?: (value: string) => string | undefined;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly patternProperties?: readonly (readonly [RegExp, Schema])[];
  readonly required?: readonly string[];
  /** false: refuse unknown properties (true or absent: allow them). */
  readonly additionalProperties?: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** A refusal: the message, the path to the refused value, and whether the message is complete. */
interface Failure {
  readonly message: string;
  readonly path: readonly (string | number)[];
  readonly instance: unknown;
  readonly complete?: boolean;
}

// ---- Python-style rendering -------------------------------------------------------------

const MAX_SHOWN = 512;

function clip(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (/[\p{Cc}]/u.test(ch)) out += `\\x${ch.codePointAt(0)!.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/** Python's repr() of a JSON value. */
export function pyRepr(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyFloat(value);
  if (typeof value === 'string') return pyStringRepr(value);
  if (depth > 8) return '...';
  if (Array.isArray(value)) return `[${value.map((x) => pyRepr(x, depth + 1)).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, x]) => `${pyStringRepr(k)}: ${pyRepr(x, depth + 1)}`).join(', ')}}`;
  }
  return String(value);
}

/** Python's str() of a JSON value. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

// ---- the checker ------------------------------------------------------------------------

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  return 'object';
}

function isType(value: unknown, type: JsonType): boolean {
  const actual = jsonType(value);
  if (type === 'integer') return actual === 'number' && Number.isInteger(value);
  return actual === type;
}

function check(value: unknown, schema: Schema, path: (string | number)[]): Failure | undefined {
  const fail = (message: string, complete = false): Failure => ({ message, path, instance: value, complete });
  if (schema.type !== undefined) {
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((t) => isType(value, t))) return fail(`${clip(pyRepr(value))} is not of type ${types.map((t) => `'${t}'`).join(', ')}`);
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => e === value)) {
    return fail(`${clip(pyRepr(value))} is not one of ${pyRepr(schema.enum)}`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) return fail(`${clip(pyRepr(value))} is too short`);
    if (schema.maxLength !== undefined && length > schema.maxLength) return fail(`${clip(pyRepr(value))} is too long`);
    if (schema.pattern !== undefined && !schema.pattern.test(value)) {
      return fail(`${clip(pyRepr(value))} does not match ${pyRepr(schema.pattern.source)}`);
    }
    if (schema.format !== undefined) {
      const refused = schema.format(value);
      if (refused !== undefined) return fail(refused, true);
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined) {
      if (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum) {
        return fail(`${pyFloat(value)} is less than ${schema.exclusiveMinimum ? 'or equal to ' : ''}the minimum of ${pyFloat(schema.minimum)}`);
      }
    }
    if (schema.maximum !== undefined && value > schema.maximum) return fail(`${pyFloat(value)} is greater than the maximum of ${pyFloat(schema.maximum)}`);
  }
  if (jsonType(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      if (!Object.hasOwn(object, name)) continue;
      const failure = check(object[name], sub, [...path, name]);
      if (failure !== undefined) return failure;
    }
    const patterns = schema.patternProperties ?? [];
    for (const [name, item] of Object.entries(object)) {
      for (const [regex, sub] of patterns) {
        if (!regex.test(name)) continue;
        const failure = check(item, sub, [...path, name]);
        if (failure !== undefined) return failure;
      }
    }
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(object, name)) return fail(`'${name}' is a required property`);
    }
    if (schema.additionalProperties === false) {
      const extras = Object.keys(object).filter((k) => !Object.hasOwn(schema.properties ?? {}, k) && !patterns.some(([r]) => r.test(k)));
      if (extras.length > 0) {
        if (patterns.length > 0) {
          return fail(`${extras.map((k) => clip(pyRepr(k))).join(', ')} ${extras.length === 1 ? 'does' : 'do'} not match any of the regexes: ${patterns.map(([r]) => pyRepr(r.source)).join(', ')}`);
        }
        return fail(`Additional properties are not allowed (${extras.map((k) => clip(pyRepr(k))).join(', ')} ${extras.length === 1 ? 'was' : 'were'} unexpected)`);
      }
    }
    const count = Object.keys(object).length;
    if (schema.minProperties !== undefined && count < schema.minProperties) return fail(`${clip(pyRepr(object))} does not have enough properties`);
    if (schema.maxProperties !== undefined && count > schema.maxProperties) return fail(`${clip(pyRepr(object))} has too many properties`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return fail(`${clip(pyRepr(value))} is too short`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return fail(`${clip(pyRepr(value))} is too long`);
    if (schema.items !== undefined) {
      for (let i = 0; i < value.length; i += 1) {
        const failure = check(value[i], schema.items, [...path, i]);
        if (failure !== undefined) return failure;
      }
    }
  }
  return undefined;
}

/** Checks a request body; returns it typed as the caller expects, or throws Nova's 400. */
export function validateBody<T = Record<string, unknown>>(body: unknown, schema: Schema): T {
  const failure = check(body === undefined ? null : body, schema, []);
  if (failure === undefined) return body as T;
  if (failure.complete || failure.path.length === 0) throw new ApiError(400, failure.message);
  const last = failure.path[failure.path.length - 1]!;
  throw new ApiError(400, `Invalid input for field/attribute ${last}. Value: ${clip(pyStr(failure.instance))}. ${failure.message}`);
}

export type QueryValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Checks query parameters as Nova's query schemas do: every parameter may repeat (multi_params),
 * each value is checked; unknown parameters are refused only when `additional` is false (2.75+
 * for most APIs).
 */
export function validateQuery(query: QueryValues, properties: Readonly<Record<string, Schema>>, additional: boolean): void {
  for (const [name, schema] of Object.entries(properties)) {
    const raw = query[name];
    if (raw === undefined) continue;
    for (const value of typeof raw === 'string' ? [raw] : raw) {
      const failure = check(value, schema, [name]);
      if (failure === undefined) continue;
      if (failure.complete) throw new ApiError(400, failure.message);
      throw new ApiError(400, `Invalid input for query parameters ${name}. Value: ${clip(value)}. ${failure.message}`);
    }
  }
  if (!additional) {
    const extras = Object.keys(query).filter((k) => !Object.hasOwn(properties, k));
    if (extras.length > 0) {
      throw new ApiError(400, `Additional properties are not allowed (${extras.map((k) => clip(pyRepr(k))).join(', ')} ${extras.length === 1 ? 'was' : 'were'} unexpected)`);
    }
  }
}

/** The last value, as webob's req.GET[name] for a repeated parameter. */
export function lastQueryValue(query: QueryValues, name: string): string | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  return typeof raw === 'string' ? raw : raw[raw.length - 1];
}

// ---- Nova's parameter types (nova/api/validation/parameter_types.py) ----------------------

export const MAX_INT = 2147483647;

// Printable: everything but Unicode's "Other" categories (control, format, unassigned, ...).
const PRINTABLE = '[^\\p{C}]';
const WHITESPACE = '\\s';

const VALID_NAME = new RegExp(`^(?!${WHITESPACE})${PRINTABLE}*(?<!${WHITESPACE})$`, 'u');
export const VALID_DESCRIPTION = new RegExp(`^${PRINTABLE}*$`, 'u');

/** exception.InvalidName for format 'name'. */
function nameFormat(value: string): string | undefined {
  return VALID_NAME.test(value)
    ? undefined
    : "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.";
}

export const nameType: Schema = { type: 'string', minLength: 1, maxLength: 255, format: nameFormat };

export const descriptionType: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255, pattern: VALID_DESCRIPTION };

/** parameter_types.boolean: JSON booleans and the strings oslo's bool_from_string knows. */
export const BOOLEAN_STRINGS = ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
  'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'] as const;
export const booleanType: Schema = { type: ['boolean', 'string'], enum: [true, ...BOOLEAN_STRINGS.slice(0, 10), false, ...BOOLEAN_STRINGS.slice(10)] };

/** The value of a parameter_types.boolean field. */
export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return ['true', '1', 'on', 'yes'].includes(String(value).toLowerCase());
}

export const nonNegativeIntegerType: Schema = { type: ['integer', 'string'], pattern: /^[0-9]*$/, minimum: 0, minLength: 1 };
export const positiveIntegerType: Schema = { type: ['integer', 'string'], pattern: /^[0-9]*$/, minimum: 1, minLength: 1 };

/** oslo_utils.strutils.bool_from_string(strict=True); undefined when it is neither. */
export function strictBool(text: string): boolean | undefined {
  const lowered = text.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(lowered)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(lowered)) return false;
  return undefined;
}

// The subset of JSON Schema Glance's published schemas use (type, enum, maxLength, minLength,
// pattern, items), with python-jsonschema's wording, so a refused value reads as Glance's 400.
import { badRequest } from '../../core/errors.js';
import type { PropertySchema } from './image-schema.js';

/** Python's repr() of a JSON value, truncated: how jsonschema quotes the offending value. */
export function pyRepr(value: unknown): string {
  const text = ((): string => {
    if (value === null || value === undefined) return 'None';
    if (typeof value === 'boolean') return value ? 'True' : 'False';
    if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
    if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
    return String(value);
  })();
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** The first problem with `value` against `schema`, or undefined when it conforms. */
export function schemaProblem(value: unknown, schema: PropertySchema): string | undefined {
  if (schema.type !== undefined) {
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((t) => typeMatches(value, t))) {
      const wanted = types.length === 1 ? `'${types[0]}'` : `[${types.map((t) => `'${t}'`).join(', ')}]`;
      return `${pyRepr(value)} is not of type ${wanted}`;
    }
  }
  if (schema.enum !== undefined && !schema.enum.includes(value as never)) {
    return `${pyRepr(value)} is not one of ${pyRepr(schema.enum)}`;
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return `${pyRepr(value)} is too long`;
    if (schema.minLength !== undefined && value.length < schema.minLength) return `${pyRepr(value)} is too short`;
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      return `${pyRepr(value)} does not match '${schema.pattern}'`;
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (const item of value) {
      const problem = schemaProblem(item, schema.items);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

export function assertMatchesSchema(schemaName: string, value: unknown, schema: PropertySchema): void {
  const problem = schemaProblem(value, schema);
  if (problem !== undefined) throw badRequest(`Provided object does not match schema '${schemaName}': ${problem}`);
}

// The part of JSON Schema placement's request schemas use, failing with the text Python's
// jsonschema gives: the best error's message, then "Failed validating '<keyword>' in schema…".
// The best error is, as in jsonschema.best_match, the one closest to the top of the document
// (the first in schema order among equals); anyOf errors are weaker than any other.
import { isUuidLike } from './uuid.js';

export interface Schema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly patternProperties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean;
  readonly required?: readonly string[];
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: 'uuid';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Schema[];
}

export interface SchemaError {
  readonly message: string;
  readonly keyword: string;
  readonly instancePath: readonly (string | number)[];
  readonly schemaPath: readonly (string | number)[];
  readonly schema: unknown;
  readonly instance: unknown;
  readonly weak: boolean;
}

/** Python's repr() of a JSON value: 'str', True, None, {'k': v}, [1, 2]. */
export function pyRepr(value: unknown, depth = 0): string {
  if (depth > 20) return '...';
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    let out = '';
    for (const ch of value) {
      if (ch === '\\') out += '\\\\';
      else if (ch === quote) out += `\\${quote}`;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
      else out += ch;
    }
    return `${quote}${out}${quote}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v, depth + 1)).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v, depth + 1)}`).join(', ')}}`;
  }
  return String(value);
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    case 'null': return value === null;
    default: return false;
  }
}

/** One pass with a set of serialised items: bodies of tens of thousands of uuids stay linear. */
function hasDuplicates(items: readonly unknown[]): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    const key = JSON.stringify(item);
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** Characters in a string as Python counts them (code points). */
function pyLength(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

type Path = (string | number)[];

function collect(value: unknown, schema: Schema, ipath: Path, spath: Path, out: SchemaError[]): void {
  const err = (keyword: string, message: string, weak = false): void => {
    out.push({ message, keyword, instancePath: ipath, schemaPath: [...spath, keyword], schema: (schema as Record<string, unknown>)[keyword], instance: value, weak });
  };
  for (const keyword of Object.keys(schema)) {
    switch (keyword) {
      case 'type': {
        const types = typeof schema.type === 'string' ? [schema.type] : [...(schema.type ?? [])];
        if (!types.some((t) => isType(value, t))) err('type', `${pyRepr(value)} is not of type ${types.map((t) => pyRepr(t)).join(', ')}`);
        break;
      }
      case 'properties': {
        if (!isType(value, 'object')) break;
        const obj = value as Record<string, unknown>;
        for (const [name, sub] of Object.entries(schema.properties ?? {})) {
          if (Object.hasOwn(obj, name)) collect(obj[name], sub, [...ipath, name], [...spath, 'properties', name], out);
        }
        break;
      }
      case 'patternProperties': {
        if (!isType(value, 'object')) break;
        const obj = value as Record<string, unknown>;
        for (const [pattern, sub] of Object.entries(schema.patternProperties ?? {})) {
          const re = new RegExp(pattern, 'u');
          for (const [name, v] of Object.entries(obj)) {
            if (re.test(name)) collect(v, sub, [...ipath, name], [...spath, 'patternProperties', pattern], out);
          }
        }
        break;
      }
      case 'additionalProperties': {
        if (schema.additionalProperties !== false || !isType(value, 'object')) break;
        const known = new Set(Object.keys(schema.properties ?? {}));
        const patterns = Object.keys(schema.patternProperties ?? {}).map((p) => new RegExp(p, 'u'));
        const extras = Object.keys(value as object).filter((k) => !known.has(k) && !patterns.some((re) => re.test(k)));
        if (extras.length === 0) break;
        if (patterns.length > 0) {
          const sorted = [...extras].sort();
          err('additionalProperties', `${sorted.map((e) => pyRepr(e)).join(', ')} ${sorted.length === 1 ? 'does' : 'do'} not match any of the regexes: ${Object.keys(schema.patternProperties ?? {}).map((p) => pyRepr(p)).join(', ')}`);
        } else {
          err('additionalProperties', `Additional properties are not allowed (${extras.map((e) => pyRepr(e)).join(', ')} ${extras.length === 1 ? 'was' : 'were'} unexpected)`);
        }
        break;
      }
      case 'required': {
        if (!isType(value, 'object')) break;
        for (const name of schema.required ?? []) {
          if (!Object.hasOwn(value as object, name)) err('required', `${pyRepr(name)} is a required property`);
        }
        break;
      }
      case 'minProperties':
        if (isType(value, 'object') && Object.keys(value as object).length < (schema.minProperties ?? 0)) err('minProperties', `${pyRepr(value)} does not have enough properties`);
        break;
      case 'maxProperties':
        if (isType(value, 'object') && Object.keys(value as object).length > (schema.maxProperties ?? Infinity)) err('maxProperties', `${pyRepr(value)} has too many properties`);
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((v, i) => collect(v, schema.items ?? {}, [...ipath, i], [...spath, 'items', i], out));
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (schema.minItems ?? 0)) err('minItems', `${pyRepr(value)} is too short`);
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (schema.maxItems ?? Infinity)) err('maxItems', `${pyRepr(value)} is too long`);
        break;
      case 'uniqueItems':
        if (schema.uniqueItems && Array.isArray(value) && hasDuplicates(value)) err('uniqueItems', `${pyRepr(value)} has non-unique elements`);
        break;
      case 'minLength':
        if (typeof value === 'string' && pyLength(value) < (schema.minLength ?? 0)) err('minLength', `${pyRepr(value)} is too short`);
        break;
      case 'maxLength':
        if (typeof value === 'string' && pyLength(value) > (schema.maxLength ?? Infinity)) err('maxLength', `${pyRepr(value)} is too long`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(schema.pattern ?? '', 'u').test(value)) err('pattern', `${pyRepr(value)} does not match ${pyRepr(schema.pattern)}`);
        break;
      case 'format':
        if (schema.format === 'uuid' && typeof value === 'string' && !isUuidLike(value)) err('format', `${pyRepr(value)} is not a 'uuid'`);
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (schema.minimum ?? -Infinity)) err('minimum', `${pyRepr(value)} is less than the minimum of ${pyRepr(schema.minimum)}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (schema.maximum ?? Infinity)) err('maximum', `${pyRepr(value)} is greater than the maximum of ${pyRepr(schema.maximum)}`);
        break;
      case 'enum':
        if (!(schema.enum ?? []).some((e) => JSON.stringify(e) === JSON.stringify(value))) err('enum', `${pyRepr(value)} is not one of ${pyRepr(schema.enum)}`);
        break;
      case 'anyOf': {
        const branches = schema.anyOf ?? [];
        const ok = branches.some((b, i) => {
          const sub: SchemaError[] = [];
          collect(value, b, ipath, [...spath, 'anyOf', i], sub);
          return sub.length === 0;
        });
        if (!ok) err('anyOf', `${pyRepr(value)} is not valid under any of the given schemas`, true);
        break;
      }
      default:
        break;
    }
  }
}

/** Every error of `value` against `schema`, in schema order. */
export function validateAll(value: unknown, schema: Schema): SchemaError[] {
  const out: SchemaError[] = [];
  collect(value, schema, [], [], out);
  return out;
}

/** jsonschema.best_match: the shallowest error, strong before weak, first among equals. */
export function bestError(errors: readonly SchemaError[]): SchemaError | undefined {
  let best: SchemaError | undefined;
  for (const e of errors) {
    if (best === undefined) { best = e; continue; }
    const depth = e.instancePath.length - best.instancePath.length;
    if (depth < 0 || (depth === 0 && best.weak && !e.weak)) best = e;
  }
  return best;
}

const pathText = (prefix: string, path: readonly (string | number)[]): string => prefix + path.map((p) => `[${pyRepr(p)}]`).join('');

/** str(ValidationError): the message, the failing keyword and schema, and the instance. */
export function describeError(e: SchemaError): string {
  const schemaPath = e.schemaPath.slice(0, -1);
  return `${e.message}\n\nFailed validating ${pyRepr(e.keyword)} in ${pathText('schema', schemaPath)}:\n    ${pyRepr(e.schema)}\n\nOn ${pathText('instance', e.instancePath)}:\n    ${pyRepr(e.instance)}`;
}

/** The text of the best error, or undefined when `value` is valid. */
export function validate(value: unknown, schema: Schema): string | undefined {
  const best = bestError(validateAll(value, schema));
  return best === undefined ? undefined : describeError(best);
}

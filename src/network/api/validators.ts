// neutron_lib's attribute validators and converters. Each takes the raw JSON value and the
// attribute name, returns the converted value, or throws a 400 with Neutron's message:
// "Invalid input for <attr>. Reason: <reason>."
import { pyStr } from '../../core/policy/py-str.js';
import { badAttribute } from '../domain/errors.js';
import { tryParseIp } from '../ipam/ip-address.js';
import { tryParseCidrLoose } from '../ipam/cidr.js';
import { tryParseMac } from '../ipam/mac-address.js';

export type Validator<T = unknown> = (value: unknown, attr: string) => T;

/** Python's repr of a JSON value, as Neutron's messages quote the offending input. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return pyStr(value);
}

export function invalid(attr: string, reason: string): never {
  throw badAttribute(`Invalid input for ${attr}. Reason: ${reason}.`);
}

export const string = (maxLen = 255): Validator<string> => (value, attr) => {
  if (typeof value !== 'string') invalid(attr, `${pyRepr(value)} is not a valid string`);
  if (value.includes('\u0000')) invalid(attr, `${pyRepr(value)} contains a NUL character`);
  if (value.length > maxLen) invalid(attr, `${pyRepr(value)} exceeds maximum length of ${maxLen}`);
  return value;
};

export const nullable = <T>(inner: Validator<T>): Validator<T | null> => (value, attr) =>
  (value === null ? null : inner(value, attr));

/** neutron_lib convert_to_boolean: true/false, "true"/"false" in any case, 0/1, "0"/"1". */
export const boolean: Validator<boolean> = (value, attr) => {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string') {
    const v = value.toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
  }
  return invalid(attr, `${pyRepr(value)} cannot be converted to boolean`);
};

/** convert_to_int plus a range check. Numeric strings are accepted, as Neutron converts them. */
export const integer = (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Validator<number> => (value, attr) => {
  let n: number | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) n = Number(value);
  if (n === undefined || !Number.isSafeInteger(n)) return invalid(attr, `${pyRepr(value)} is not an integer`);
  if (n < min) return invalid(attr, `${pyRepr(value)} is too small - must be at least '${min}'`);
  if (n > max) return invalid(attr, `${pyRepr(value)} is too large - must be no larger than '${max}'`);
  return n;
};

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export const uuid: Validator<string> = (value, attr) => {
  if (typeof value !== 'string' || !UUID_RE.test(value)) return invalid(attr, `${pyRepr(value)} is not a valid UUID`);
  return value;
};

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

export const oneOf = <T extends string>(allowed: readonly T[]): Validator<T> => (value, attr) => {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    return invalid(attr, `${pyRepr(value)} is not in ${pyStr(allowed)}`);
  }
  return value as T;
};

export const ipAddress: Validator<string> = (value, attr) => {
  if (typeof value !== 'string' || tryParseIp(value) === undefined) return invalid(attr, `${pyRepr(value)} is not a valid IP address`);
  return value;
};

/** A CIDR (host bits may be set; callers needing a network address check that themselves). */
export const cidr: Validator<string> = (value, attr) => {
  if (typeof value !== 'string' || tryParseCidrLoose(value) === undefined) return invalid(attr, `${pyRepr(value)} is not a valid IP subnet`);
  return value;
};

export const macAddress: Validator<string> = (value, attr) => {
  if (typeof value !== 'string' || tryParseMac(value) === undefined) return invalid(attr, `${pyRepr(value)} is not a valid MAC address`);
  return value.toLowerCase();
};

export const listOf = <T>(item: Validator<T>, maxItems = 1000): Validator<T[]> => (value, attr) => {
  if (!Array.isArray(value)) return invalid(attr, `${pyRepr(value)} is not a list`);
  if (value.length > maxItems) return invalid(attr, `too many items (more than ${maxItems})`);
  return value.map((v) => item(v, attr));
};

/** neutron_lib _validate_list_of_items: a list whose items must not repeat (checked before the items). */
export const uniqueListOf = <T>(item: Validator<T>, maxItems = 1000): Validator<T[]> => (value, attr) => {
  if (Array.isArray(value)) {
    const dups = [...new Set(value.filter((v, i) => value.indexOf(v) !== i))];
    if (dups.length > 0) return invalid(attr, `Duplicate items in the list: '${dups.map((d) => (typeof d === 'string' ? d : pyStr(d))).join(', ')}'`);
  }
  return listOf(item, maxItems)(value, attr);
};

/** A JSON object (dict); `check` may validate its contents. */
export const dict = (check?: (value: Record<string, unknown>, attr: string) => void): Validator<Record<string, unknown>> => (value, attr) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(attr, `${pyRepr(value)} is not a dictionary`);
  const obj = value as Record<string, unknown>;
  check?.(obj, attr);
  return obj;
};

/** Anything JSON (for free-form attributes such as binding:profile values). */
export const any: Validator<unknown> = (value) => value;

// GET /v2/images query string → ImageListQuery, with Glance's parameter rules: limit/marker,
// member_status, repeated `tag`, visibility, both sort syntaxes, os_hidden/protected, `_min`/`_max`
// ranges, operators (`in:`, `gte:`, …) on names and timestamps, and anything else as an extra
// property filter.
import { badRequest } from '../../core/errors.js';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../domain/constants.js';
import type { Condition, ImageListQuery } from '../domain/image-list.js';
import { parseSortParams } from './image-sort.js';

type Query = Record<string, string | string[] | undefined>;

const RESERVED_KEYS = new Set(['limit', 'marker', 'member_status', 'tag', 'sort', 'sort_key', 'sort_dir', 'visibility', 'os_hidden', 'protected']);
const INTEGER_COLUMNS = new Set(['size', 'virtual_size', 'min_disk', 'min_ram']);
const STRING_COLUMNS = new Set(['owner', 'checksum', 'os_hash_value', 'os_hash_algo']);
const OPERATOR_COLUMNS = new Set(['name', 'id', 'status', 'container_format', 'disk_format']);
const TIME_COLUMNS = new Set(['created_at', 'updated_at']);
const TIME_OPS: Readonly<Record<string, '=' | '!=' | '<' | '<=' | '>' | '>='>> = { eq: '=', neq: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=' };
const ISO = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$/;

/** Repeated parameters: Glance reads the last value (webob's MultiDict). */
const last = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[v.length - 1] : v);
const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_LIMIT;
  if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw badRequest('limit param must be an integer');
  const n = Number(raw.trim());
  if (n < 0) throw badRequest('limit param must be positive');
  return Math.min(n, MAX_PAGE_LIMIT);
}

/** Glance's split_filter_op: `op:value`, except that an ISO time with colons is a plain value. */
function splitOperator(expression: string): { op: string; value: string } {
  const at = expression.indexOf(':');
  if (at < 0 || ISO.test(expression)) return { op: 'eq', value: expression };
  return { op: expression.slice(0, at), value: expression.slice(at + 1) };
}

/** `in:` values: comma-separated, each optionally double-quoted (quotes may hold commas). */
export function splitQuoted(list: string): string[] {
  const values: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < list.length && (m = re.exec(list)) !== null) {
    values.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!.trim());
    if (m[0] === '') break;
  }
  return values;
}

function timeCondition(column: string, expression: string): Condition {
  const { op, value } = splitOperator(expression);
  const sqlOp = TIME_OPS[op];
  if (sqlOp === undefined) throw badRequest(`Unable to filter by unknown operator '${op.slice(0, 40)}'.`);
  const ms = ISO.test(value) ? Date.parse(/Z|[+-]\d\d:?\d\d$/.test(value) || !value.includes('T') ? value : `${value}Z`) : NaN;
  if (Number.isNaN(ms)) throw badRequest(`Bad "${column}" query filter format. Use ISO 8601 DateTime notation.`);
  return { kind: 'compare', column, op: sqlOp, value: new Date(ms).toISOString() };
}

function columnCondition(key: string, raw: string): Condition | undefined {
  if (key.endsWith('_min') || key.endsWith('_max')) {
    const column = key.slice(0, -4);
    if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw badRequest('Unable to filter on a range with a non-numeric value.');
    if (!INTEGER_COLUMNS.has(column)) throw badRequest(`Unable to filter on a range of '${column.slice(0, 40)}'.`);
    return { kind: 'compare', column, op: key.endsWith('_min') ? '>=' : '<=', value: Number(raw.trim()) };
  }
  if (TIME_COLUMNS.has(key)) return timeCondition(key, raw);
  if (OPERATOR_COLUMNS.has(key)) {
    const { op, value } = splitOperator(raw);
    if (op === 'eq') return { kind: 'compare', column: key, op: '=', value };
    if (op === 'in') return { kind: 'in', column: key, values: splitQuoted(value) };
    throw badRequest(`Unable to filter by unknown operator '${op.slice(0, 40)}'.`);
  }
  if (INTEGER_COLUMNS.has(key)) {
    return /^\s*[+-]?\d+\s*$/.test(raw) ? { kind: 'compare', column: key, op: '=', value: Number(raw.trim()) } : { kind: 'never' };
  }
  if (STRING_COLUMNS.has(key)) return { kind: 'compare', column: key, op: '=', value: raw };
  return undefined;
}

function booleanFilter(name: string, raw: string | undefined, fallback?: string): Condition | undefined {
  const value = raw ?? fallback;
  if (value === undefined) return undefined;
  const v = name === 'os_hidden' ? value.toLowerCase() : value;
  if (v !== 'true' && v !== 'false') {
    throw badRequest(`Invalid value '${value.slice(0, 40)}' for '${name}' filter. Valid values are 'true' or 'false'.`);
  }
  return { kind: 'compare', column: name, op: '=', value: v === 'true' ? 1 : 0 };
}

export function parseListQuery(query: Query): ImageListQuery {
  const memberStatus = last(query.member_status) ?? 'accepted';
  if (!['pending', 'accepted', 'rejected', 'all'].includes(memberStatus)) throw badRequest(`Invalid status: ${memberStatus.slice(0, 40)}`);
  const visibility = last(query.visibility);
  if (visibility !== undefined && !['community', 'public', 'private', 'shared', 'all'].includes(visibility)) {
    throw badRequest(`Invalid visibility value: ${visibility.slice(0, 40)}`);
  }
  if (query['changes-since'] !== undefined) throw badRequest('The "changes-since" filter is no longer available on v2.');
  const conditions: Condition[] = [];
  const properties: [string, string][] = [];
  for (const c of [booleanFilter('os_hidden', last(query.os_hidden), 'false'), booleanFilter('protected', last(query.protected))]) {
    if (c) conditions.push(c);
  }
  for (const [key, value] of Object.entries(query)) {
    const raw = last(value);
    if (RESERVED_KEYS.has(key) || raw === undefined) continue;
    const condition = columnCondition(key, raw);
    if (condition) conditions.push(condition);
    else properties.push([key, raw]);
  }
  const marker = last(query.marker);
  return {
    limit: parseLimit(last(query.limit)),
    ...(marker !== undefined ? { marker } : {}),
    sort: parseSortParams(query),
    memberStatus: memberStatus as ImageListQuery['memberStatus'],
    ...(visibility !== undefined ? { visibility: visibility as ImageListQuery['visibility'] } : {}),
    conditions,
    tags: all(query.tag).map((t) => t.trim()),
    properties,
  };
}

// Neutron's collection GETs over rendered resources: attribute filters (repeated values mean
// "any of"), the tag filters, `fields`, sorting and limit/marker pagination with
// `<collection>_links`, as neutron/api/v2/base.py and its pagination helpers do them.
import { badRequest } from '../../core/errors.js';

export type Item = Record<string, unknown>;
export type Query = Record<string, string | string[] | undefined>;

/** Extra filters a resource understands beyond equality on its attributes (e.g. ports' fixed_ips). */
export type CustomFilters = Readonly<Record<string, (item: Item, values: readonly string[]) => boolean>>;

const CONTROL_KEYS = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse']);
const TAG_KEYS = new Set(['tags', 'tags-any', 'not-tags', 'not-tags-any']);

export function queryValues(query: Query, key: string): string[] {
  const v = query[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function toBool(text: string): boolean | undefined {
  const v = text.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

/** Does one attribute value match one filter value, converted as Neutron converts filters? */
function matches(value: unknown, wanted: string): boolean {
  if (typeof value === 'boolean') return toBool(wanted) === value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value) === wanted.trim();
  if (value === null || value === undefined) return wanted === '' || wanted === 'None' || wanted === 'null';
  if (Array.isArray(value)) return value.some((v) => matches(v, wanted));
  if (typeof value === 'string') return value === wanted;
  return false;
}

function tagList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).filter((t) => t !== '');
}

function tagFilter(item: Item, key: string, values: readonly string[]): boolean {
  const tags = Array.isArray(item.tags) ? (item.tags as string[]) : [];
  const wanted = tagList(values);
  switch (key) {
    case 'tags': return wanted.every((t) => tags.includes(t));
    case 'tags-any': return wanted.some((t) => tags.includes(t));
    case 'not-tags': return !wanted.every((t) => tags.includes(t));
    default: return !wanted.some((t) => tags.includes(t));
  }
}

export function filterItems(items: readonly Item[], query: Query, custom: CustomFilters = {}): Item[] {
  const active: { key: string; values: string[] }[] = [];
  for (const key of Object.keys(query)) {
    if (CONTROL_KEYS.has(key)) continue;
    const values = queryValues(query, key);
    if (values.length > 0) active.push({ key, values });
  }
  if (active.length === 0) return [...items];
  return items.filter((item) => active.every(({ key, values }) => {
    const filter = custom[key];
    if (filter !== undefined) return filter(item, values);
    if (TAG_KEYS.has(key)) return tagFilter(item, key, values);
    // tenant_id and project_id are the same attribute.
    const value = key === 'tenant_id' ? item.project_id : item[key];
    // Neutron without filter-validation ignores filters on attributes a resource does not have.
    if (value === undefined && !(key in item)) return true;
    return values.some((v) => matches(value, v));
  }));
}

/** `fields=a&fields=b` (or comma lists): only those attributes; none given means all. */
export function selectFields(item: Item, query: Query): Item {
  const fields = queryValues(query, 'fields').flatMap((f) => f.split(',')).map((f) => f.trim()).filter((f) => f !== '');
  if (fields.length === 0) return item;
  const out: Item = {};
  for (const f of fields) if (f in item) out[f] = item[f];
  return out;
}

interface SortSpec { readonly key: string; readonly dir: 1 | -1 }

function parseSort(query: Query, items: readonly Item[]): SortSpec[] {
  const keys = queryValues(query, 'sort_key');
  const dirs = queryValues(query, 'sort_dir');
  if (dirs.length > keys.length && keys.length > 0) throw badRequest('The number of sort_keys and sort_dirs must be same', 'HTTPBadRequest');
  return keys.map((key, i) => {
    const sample = items[0];
    if (sample !== undefined && !(key in sample) && key !== 'tenant_id') throw badRequest(`${key} is invalid attribute for sort_key`, 'HTTPBadRequest');
    const dir = dirs[i] ?? 'asc';
    if (dir !== 'asc' && dir !== 'desc') throw badRequest(`${dir} is invalid value for sort_dir, valid values are 'asc' and 'desc'`, 'HTTPBadRequest');
    return { key: key === 'tenant_id' ? 'project_id' : key, dir: dir === 'asc' ? 1 : -1 };
  });
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : 1;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a ? 1 : -1;
  const x = typeof a === 'string' ? a : JSON.stringify(a);
  const y = typeof b === 'string' ? b : JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortItems(items: Item[], specs: readonly SortSpec[]): Item[] {
  // Pagination needs a total order: id breaks ties, as Neutron appends it to the sort keys.
  const all = specs.some((s) => s.key === 'id') ? specs : [...specs, { key: 'id', dir: specs[0]?.dir ?? 1 } as SortSpec];
  return items.sort((a, b) => {
    for (const { key, dir } of all) {
      const c = compare(a[key], b[key]);
      if (c !== 0) return c * dir;
    }
    return 0;
  });
}

function parseLimit(query: Query): number | undefined {
  const raw = queryValues(query, 'limit')[0];
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`Bad limit request: limit must be an integer, got '${raw}'`, 'HTTPBadRequest');
  const n = Number(raw);
  if (n < 0) throw badRequest(`Bad limit request: limit must be a non-negative integer, got '${raw}'`, 'HTTPBadRequest');
  return n === 0 ? undefined : Math.min(n, 10000);
}

/** Neutron's get_next_link/get_previous_link: the request's query with a new marker and direction. */
function link(baseUrl: string, query: Query, marker: string | undefined, reverse: boolean, rel: 'next' | 'previous'): Item {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'marker' || key === 'page_reverse' || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  if (marker !== undefined) params.set('marker', marker);
  params.set('page_reverse', reverse ? 'True' : 'False');
  return { href: `${baseUrl}?${params.toString()}`, rel };
}

export interface ListOptions {
  /** The collection's URL without query, for pagination links. */
  readonly baseUrl: string;
  readonly custom?: CustomFilters;
}

/**
 * The body of a collection GET: `{<collection>: [...], <collection>_links?: [...]}`.
 * Items must already be limited to what the caller may see, and rendered for them.
 */
export function listBody(collection: string, items: readonly Item[], query: Query, options: ListOptions): Item {
  let list = filterItems(items, query, options.custom);
  const specs = parseSort(query, list);
  const limit = parseLimit(query);
  const marker = queryValues(query, 'marker')[0];
  if (specs.length > 0 || limit !== undefined || marker !== undefined) list = sortItems(list, specs);
  const body: Item = {};
  if (limit === undefined && marker === undefined) {
    body[collection] = list.map((item) => selectFields(item, query));
    return body;
  }
  const reverse = ['true', '1'].includes((queryValues(query, 'page_reverse')[0] ?? '').toLowerCase());
  let start = 0;
  let end = list.length;
  if (marker !== undefined) {
    const at = list.findIndex((item) => item.id === marker);
    if (at < 0) throw badRequest(`Marker ${marker} could not be found.`, 'HTTPBadRequest');
    if (reverse) end = at;
    else start = at + 1;
  }
  if (limit !== undefined) {
    if (reverse) start = Math.max(0, end - limit);
    else end = Math.min(list.length, start + limit);
  }
  const page = list.slice(start, end);
  body[collection] = page.map((item) => selectFields(item, query));
  // neutron/api/api_common.py get_pagination_links: a short page ends the walk in its direction;
  // an empty page's links carry no marker (page_reverse then starts from the far end).
  const links: Item[] = [];
  const firstId = page[0]?.id;
  const lastId = page[page.length - 1]?.id;
  if (limit !== undefined) {
    if (!(page.length < limit && !reverse)) links.push(link(options.baseUrl, query, lastId === undefined ? undefined : String(lastId), false, 'next'));
    if (!(page.length < limit && reverse)) links.push(link(options.baseUrl, query, firstId === undefined ? undefined : String(firstId), true, 'previous'));
  }
  if (links.length > 0) body[`${collection}_links`] = links;
  return body;
}

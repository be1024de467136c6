// Sorting, attribute filters and `fields` selection, as Neutron, Nova and Glance lists accept them:
//   ?sort_key=name&sort_dir=desc&status=ACTIVE&fields=id&fields=name
import { badRequest } from '../errors.js';

export interface SortSpec { readonly key: string; readonly direction: 'asc' | 'desc' }

const many = (v: unknown): string[] => (v === undefined ? [] : [v].flat().map(String));

/** Parses sort_key/sort_dir pairs; keys must be among `allowed`. */
export function parseSort(query: Record<string, unknown>, allowed: readonly string[], fallback: SortSpec): SortSpec[] {
  const keys = many(query.sort_key);
  const dirs = many(query.sort_dir);
  if (keys.length === 0) return [fallback];
  if (dirs.length > keys.length) throw badRequest('The number of sort_keys and sort_dirs must be same.');
  return keys.map((key, i) => {
    if (!allowed.includes(key)) throw badRequest(`${key} is invalid attribute for sort_key.`);
    const direction = dirs[i] ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc') throw badRequest(`${direction} is invalid value for sort_dir, valid values are 'asc' and 'desc'.`);
    return { key, direction };
  });
}

export function sortItems<T extends Record<string, unknown>>(items: T[], specs: readonly SortSpec[]): T[] {
  return [...items].sort((a, b) => {
    for (const { key, direction } of specs) {
      const x = a[key];
      const y = b[key];
      if (x === y) continue;
      const order = x === null || x === undefined ? -1 : y === null || y === undefined ? 1 : x < y ? -1 : 1;
      return direction === 'asc' ? order : -order;
    }
    return 0;
  });
}

/** Keeps items whose attributes equal every filter given (repeated values mean "any of"). */
export function filterItems<T extends Record<string, unknown>>(items: T[], query: Record<string, unknown>, filterable: readonly string[]): T[] {
  const active = filterable.filter((key) => query[key] !== undefined).map((key) => ({ key, values: many(query[key]) }));
  return items.filter((item) => active.every(({ key, values }) => values.includes(String(item[key]))));
}

/** `fields=a&fields=b`: only those attributes (none given: all). */
export function selectFields<T extends Record<string, unknown>>(item: T, query: Record<string, unknown>): Partial<T> {
  const fields = many(query.fields).flatMap((f) => f.split(',')).filter((f) => f !== '');
  if (fields.length === 0) return item;
  return Object.fromEntries(Object.entries(item).filter(([key]) => fields.includes(key))) as Partial<T>;
}

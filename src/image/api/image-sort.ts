// Glance's two sort syntaxes: `sort=name:asc,size:desc` and `sort_key=name&sort_dir=asc`
// (repeatable; one sort_dir applies to every key). The result always ends with created_at and
// id, so the order is total and keyset pagination never skips or repeats an image.
import { badRequest } from '../../core/errors.js';
import type { SortKey, SortSpec } from '../domain/image-list.js';

type Query = Record<string, string | string[] | undefined>;

export const SORT_KEYS: readonly SortKey[] = ['name', 'status', 'container_format', 'disk_format', 'size', 'id', 'created_at', 'updated_at'];

const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

function sortKey(key: string): SortKey {
  if (!(SORT_KEYS as readonly string[]).includes(key)) {
    throw badRequest(`Invalid sort key: ${key.slice(0, 40)}. It must be one of the following: ${SORT_KEYS.join(', ')}.`);
  }
  return key as SortKey;
}

function sortDir(dir: string): 'asc' | 'desc' {
  if (dir !== 'asc' && dir !== 'desc') throw badRequest(`Invalid sort direction: ${dir.slice(0, 40)}`);
  return dir;
}

export function parseSortParams(query: Query): SortSpec[] {
  const keys: SortKey[] = [];
  let dirs: ('asc' | 'desc')[] = [];
  if (query.sort !== undefined) {
    if (query.sort_key !== undefined || query.sort_dir !== undefined) throw badRequest('Old and new sorting syntax cannot be combined');
    for (const part of all(query.sort).join(',').trim().split(',')) {
      const at = part.indexOf(':');
      keys.push(sortKey((at < 0 ? part : part.slice(0, at)).trim()));
      dirs.push(sortDir(at < 0 ? 'desc' : part.slice(at + 1).trim() || 'desc'));
    }
  } else {
    keys.push(...all(query.sort_key).map((k) => sortKey(k.trim())));
    dirs = all(query.sort_dir).map((d) => sortDir(d.trim()));
    if (dirs.length > 1 && dirs.length !== keys.length) throw badRequest('Number of sort dirs does not match the number of sort keys');
  }
  if (keys.length === 0) keys.push('created_at');
  let fallback: 'asc' | 'desc' = 'desc';
  if (dirs.length === 0) dirs = keys.map(() => 'desc');
  else if (dirs.length === 1) {
    fallback = dirs[0]!;
    dirs = keys.map(() => fallback);
  }
  const specs: SortSpec[] = keys.map((key, i) => ({ key, dir: dirs[i]! }));
  for (const key of ['created_at', 'id'] as const) if (!keys.includes(key)) specs.push({ key, dir: fallback });
  return specs;
}

// limit/marker pagination with `links`, as Neutron, Nova and Glance return it.
import { badRequest } from '../errors.js';

export interface PageRequest {
  readonly limit: number | undefined;
  readonly marker: string | undefined;
  readonly reverse: boolean;
}

export function parsePageRequest(query: Record<string, unknown>, maxLimit = 1000): PageRequest {
  const rawLimit = query.limit;
  let limit: number | undefined;
  if (rawLimit !== undefined) {
    const n = Number(rawLimit);
    if (typeof rawLimit !== 'string' || !/^\d+$/.test(rawLimit) || !Number.isSafeInteger(n)) {
      throw badRequest(`Bad limit request: limit must be a non-negative integer, got '${String(rawLimit)}'.`);
    }
    limit = Math.min(n, maxLimit);
  }
  const marker = typeof query.marker === 'string' && query.marker !== '' ? query.marker : undefined;
  return { limit, marker, reverse: query.page_reverse === 'True' || query.page_reverse === 'true' };
}

/** Slices a sorted list after `marker` and reports whether more items follow. */
export function paginate<T>(items: readonly T[], page: PageRequest, idOf: (item: T) => string): { items: T[]; hasMore: boolean } {
  let start = 0;
  if (page.marker !== undefined) {
    const at = items.findIndex((item) => idOf(item) === page.marker);
    if (at < 0) throw badRequest(`Marker ${page.marker} could not be found.`);
    start = at + 1;
  }
  const end = page.limit === undefined || page.limit === 0 ? items.length : start + page.limit;
  return { items: items.slice(start, end), hasMore: end < items.length };
}

export function nextLink(url: string, query: Record<string, unknown>, lastId: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'marker') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  params.set('marker', lastId);
  return `${url}?${params.toString()}`;
}

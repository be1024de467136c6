// GET /v2/images/{id}/file: who may read the bytes, which bytes, and what to say when there are
// none. Streaming is the route's job; this decides the status, the range and the headers.
import type { Readable } from 'node:stream';
import { ApiError, forbidden } from '../../core/errors.js';
import type { Caller } from './caller.js';
import { STATUSES_WITH_DATA } from './constants.js';
import type { ImageDomainDeps } from './deps.js';
import { enforceOnImage, loadVisibleImage } from './image-access.js';

/** A parsed `Range: bytes=…` request: first-last, first- (to the end), or -suffix. */
export type RangeRequest = { readonly first: number; readonly last?: number } | { readonly suffix: number };

export type Download =
  | { readonly kind: 'empty' }
  | { readonly kind: 'full'; readonly size: number; readonly checksum: string | null; readonly body: Readable }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number; readonly size: number; readonly body: Readable };

function resolveRange(range: RangeRequest, size: number): { start: number; end: number } {
  const unsatisfiable = () => new ApiError(416, 'Requested range not satisfiable', 'RangeNotSatisfiable', { 'content-range': `bytes */${size}` });
  if ('suffix' in range) {
    if (range.suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  if (range.first >= size || (range.last !== undefined && range.last < range.first)) throw unsatisfiable();
  return { start: range.first, end: Math.min(range.last ?? size - 1, size - 1) };
}

export async function openImageData(deps: ImageDomainDeps, caller: Caller, id: string, range: RangeRequest | undefined): Promise<Download> {
  const visible = await loadVisibleImage(deps, caller, id);
  const { image } = visible;
  enforceOnImage(deps, caller, 'download_image', visible);
  if (image.status === 'deactivated' && !caller.isAdmin) {
    throw forbidden('The requested image has been deactivated. Image data download is forbidden.');
  }
  if (!STATUSES_WITH_DATA.has(image.status) || image.size === null) return { kind: 'empty' };
  // Glance answers 204 when the store has lost the bytes; never start a 200 that cannot finish.
  if (!(await deps.store.exists('images', id))) return { kind: 'empty' };
  const size = image.size;
  if (range === undefined) return { kind: 'full', size, checksum: image.checksum, body: deps.store.read(id) };
  const { start, end } = resolveRange(range, size);
  return { kind: 'partial', start, end, size, body: deps.store.read(id, { start, end }) };
}

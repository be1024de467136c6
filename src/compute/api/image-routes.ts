// Nova's image proxy (nova/api/openstack/compute/images.py, gone after 2.35): the image service's
// images, asked for with the caller's token, in Nova's v1-like shape — SAVING while a snapshot is
// being written, progress, minRam/minDisk, properties as `metadata`, the server a snapshot came
// from. Tempest's compute tests wait on snapshots through it.
import { ApiError } from '../../core/errors.js';
import { imageProperties, isServiceApiError, type Image, type ImageClient } from '../../core/clients/index.js';
import type { ComputeRouter, Ctx } from './router.js';
import { lastQueryValue } from './validation.js';

const PROXY_MAX = '2.35';
const STATUS: Readonly<Record<string, string>> = { active: 'ACTIVE', queued: 'SAVING', saving: 'SAVING', deleted: 'DELETED', pending_delete: 'DELETED', killed: 'ERROR' };
const PROGRESS: Readonly<Record<string, number>> = { queued: 25, saving: 50, active: 100 };

export const imageNotFound = (id: string): ApiError => new ApiError(404, `Image ${id} could not be found.`, 'ImageNotFound');

export function images(ctx: Ctx): ImageClient {
  return ctx.deps.clients.imageAs(ctx.caller.auth.token, ctx.caller.requestId);
}

/** Glance's answer failing: Nova's 404 for a missing image, otherwise the image service is down. */
export function failed(err: unknown, id: string): Error {
  if (isServiceApiError(err, 404) || isServiceApiError(err, 400)) return imageNotFound(id);
  return new ApiError(503, `The image service is unavailable: ${err instanceof Error ? err.message : String(err)}`);
}

/** '2026-11-23T10:00:00Z' whatever precision Glance gave. */
function novaDate(iso: unknown): string | null {
  return typeof iso === 'string' ? `${iso.slice(0, 19)}Z` : null;
}

function view(ctx: Ctx, image: Image, detail: boolean): Record<string, unknown> {
  const links = ctx.links.resource('images', image.id);
  const brief = { id: image.id, name: image.name ?? null, links: [...links, { rel: 'alternate', type: 'application/vnd.openstack.image', href: `${links[1]!.href}` }] };
  if (!detail) return brief;
  const metadata = imageProperties(image);
  const status = String(image.status);
  const out: Record<string, unknown> = {
    ...brief,
    minRam: Number(image.min_ram ?? 0), minDisk: Number(image.min_disk ?? 0), metadata,
    created: novaDate(image.created_at), updated: novaDate(image.updated_at),
    status: STATUS[status] ?? 'UNKNOWN', progress: PROGRESS[status] ?? 0, 'OS-EXT-IMG-SIZE:size': image.size ?? null,
  };
  if (metadata.instance_uuid !== undefined) out.server = { id: metadata.instance_uuid, links: ctx.links.resource('servers', metadata.instance_uuid) };
  if (metadata.auto_disk_config !== undefined) out['OS-DCF:diskConfig'] = /^(1|true|yes|on|y|t)$/i.test(metadata.auto_disk_config) ? 'AUTO' : 'MANUAL';
  return out;
}

async function list(ctx: Ctx, detail: boolean): Promise<unknown> {
  const filters: Record<string, string> = {};
  for (const key of ['name', 'status', 'limit', 'marker'] as const) {
    const value = lastQueryValue(ctx.query, key);
    if (value !== undefined) filters[key] = key === 'status' ? value.toLowerCase() : value;
  }
  const server = lastQueryValue(ctx.query, 'server');
  let found: Image[];
  try {
    found = await images(ctx).listImages(filters);
  } catch (err) {
    throw failed(err, filters.marker ?? '');
  }
  if (server !== undefined) found = found.filter((i) => imageProperties(i).instance_uuid === server.split('/').pop());
  const type = lastQueryValue(ctx.query, 'type');
  if (type !== undefined) found = found.filter((i) => imageProperties(i).image_type === type);
  return { images: found.map((i) => view(ctx, i, detail)) };
}

/** The image of the path's image_id, as the caller sees it; Nova's 404 otherwise. */
export async function pathImage(ctx: Ctx): Promise<Image> {
  const id = ctx.params.image_id!;
  let image: Image | undefined;
  try {
    image = await images(ctx).findImage(id);
  } catch (err) {
    throw failed(err, id);
  }
  if (!image) throw imageNotFound(id);
  return image;
}

async function show(ctx: Ctx): Promise<unknown> {
  return { image: view(ctx, await pathImage(ctx), true) };
}

async function remove(ctx: Ctx): Promise<unknown> {
  const id = ctx.params.image_id!;
  let deleted: boolean;
  try {
    deleted = await images(ctx).deleteImage(id);
  } catch (err) {
    if (isServiceApiError(err, 403)) throw new ApiError(403, 'You are not allowed to delete the image.');
    throw failed(err, id);
  }
  if (!deleted) throw imageNotFound(id);
  return undefined;
}

export function registerImageRoutes(router: ComputeRouter): void {
  router.route('GET', '/images', { max: PROXY_MAX, handler: (ctx) => list(ctx, false) });
  router.route('GET', '/images/detail', { max: PROXY_MAX, handler: (ctx) => list(ctx, true) });
  router.route('GET', '/images/:image_id', { max: PROXY_MAX, handler: show });
  router.route('DELETE', '/images/:image_id', { max: PROXY_MAX, status: 204, handler: remove });
}

// Nova's image metadata proxy (nova/api/openstack/compute/image_metadata.py, gone after 2.38): an
// image's additional properties read and written in the image service with the caller's token,
// as `metadata` (all of them) or `meta` (one key).
import { ApiError, badRequest } from '../../core/errors.js';
import { imageProperties, isServiceApiError, type Image, type ImagePatchOp } from '../../core/clients/index.js';
import { failed, images, pathImage } from './image-routes.js';
import type { ComputeRouter, Ctx } from './router.js';
import { METADATA_SCHEMA } from './server-metadata-routes.js';
import { validateBody, type Schema } from './validation.js';

const PROXY_MAX = '2.38';
/** Nova's default metadata_items quota, which its image metadata calls count against. */
const METADATA_ITEMS = 128;

const METADATA_BODY: Schema = { type: 'object', properties: { metadata: METADATA_SCHEMA }, required: ['metadata'], additionalProperties: false };
const META_BODY: Schema = { type: 'object', properties: { meta: METADATA_SCHEMA }, required: ['meta'], additionalProperties: false };

/** Writes `wanted` as the image's properties (keys of `current` not in it removed when `replaceAll`). */
async function write(ctx: Ctx, image: Image, current: Record<string, string>, wanted: Record<string, string>, replaceAll: boolean): Promise<Record<string, string>> {
  const next = replaceAll ? { ...wanted } : { ...current, ...wanted };
  if (Object.keys(next).length > METADATA_ITEMS) throw new ApiError(403, 'Quota exceeded for metadata_items: the image may have at most 128 properties.', 'Forbidden');
  const ops: ImagePatchOp[] = [];
  for (const key of Object.keys(current)) if (!(key in next)) ops.push({ op: 'remove', path: `/${key}` });
  for (const [key, value] of Object.entries(next)) {
    if (current[key] !== value) ops.push({ op: key in current ? 'replace' : 'add', path: `/${key}`, value });
  }
  if (ops.length === 0) return next;
  try {
    return imageProperties(await images(ctx).updateImage(image.id, ops));
  } catch (err) {
    if (isServiceApiError(err, 403)) throw new ApiError(403, 'You are not allowed to change the image.', 'Forbidden');
    if (isServiceApiError(err, 409)) throw new ApiError(409, `Image ${image.id} cannot be changed in its current state.`, 'Conflict');
    throw failed(err, image.id);
  }
}

function keyNotFound(key: string): ApiError {
  return new ApiError(404, `Invalid metadata key ${key}`, 'itemNotFound');
}

async function list(ctx: Ctx): Promise<unknown> {
  return { metadata: imageProperties(await pathImage(ctx)) };
}

async function show(ctx: Ctx): Promise<unknown> {
  const key = ctx.params.key!;
  const props = imageProperties(await pathImage(ctx));
  if (!(key in props)) throw keyNotFound(key);
  return { meta: { [key]: props[key]! } };
}

/** POST: merged into the image's properties; the answer is all of them. */
async function merge(ctx: Ctx): Promise<unknown> {
  const { metadata } = validateBody<{ metadata: Record<string, string> }>(ctx.body, METADATA_BODY);
  const image = await pathImage(ctx);
  return { metadata: await write(ctx, image, imageProperties(image), metadata, false) };
}

/** PUT on the collection: the image's properties become exactly these. */
async function replaceAll(ctx: Ctx): Promise<unknown> {
  const { metadata } = validateBody<{ metadata: Record<string, string> }>(ctx.body, METADATA_BODY);
  const image = await pathImage(ctx);
  await write(ctx, image, imageProperties(image), metadata, true);
  return { metadata };
}

/** PUT on one key: the body names that key and only it. */
async function setItem(ctx: Ctx): Promise<unknown> {
  const key = ctx.params.key!;
  const { meta } = validateBody<{ meta: Record<string, string> }>(ctx.body, META_BODY);
  if (!(key in meta)) throw badRequest('Request body and URI mismatch');
  if (Object.keys(meta).length > 1) throw badRequest('Request body contains too many items');
  const image = await pathImage(ctx);
  await write(ctx, image, imageProperties(image), meta, false);
  return { meta };
}

async function removeItem(ctx: Ctx): Promise<unknown> {
  const key = ctx.params.key!;
  const image = await pathImage(ctx);
  const props = imageProperties(image);
  if (!(key in props)) throw keyNotFound(key);
  const rest = { ...props };
  delete rest[key];
  await write(ctx, image, props, rest, true);
  return undefined;
}

export function registerImageMetadataRoutes(router: ComputeRouter): void {
  router.route('GET', '/images/:image_id/metadata', { max: PROXY_MAX, handler: list });
  router.route('POST', '/images/:image_id/metadata', { max: PROXY_MAX, handler: merge });
  router.route('PUT', '/images/:image_id/metadata', { max: PROXY_MAX, handler: replaceAll });
  router.route('GET', '/images/:image_id/metadata/:key', { max: PROXY_MAX, handler: show });
  router.route('PUT', '/images/:image_id/metadata/:key', { max: PROXY_MAX, handler: setItem });
  router.route('DELETE', '/images/:image_id/metadata/:key', { max: PROXY_MAX, status: 204, handler: removeItem });
}

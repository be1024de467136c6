// Per-project quotas (Glance's image_count_total and image_size_total): the number of images a
// project owns, and the bytes its images hold (stored plus staged). -1 means unlimited.
import type { Kysely } from 'kysely';
import { ApiError } from '../../core/errors.js';
import type { ImageDb } from '../db/schema.js';
import type { ImageDomainDeps } from './deps.js';

type Db = Kysely<ImageDb>;

export async function imageCount(db: Db, owner: string | null): Promise<number> {
  let q = db.selectFrom('image').select((eb) => eb.fn.countAll<number | string>().as('n'));
  q = owner === null ? q.where('owner', 'is', null) : q.where('owner', '=', owner);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Bytes held by the owner's images, not counting `exceptImageId` (the one being uploaded). */
export async function bytesUsed(db: Db, owner: string | null, exceptImageId?: string): Promise<number> {
  let q = db.selectFrom('image').select((eb) => eb.fn.sum<number | string | null>('size').as('total'))
    .where('status', 'in', ['active', 'deactivated']);
  q = owner === null ? q.where('owner', 'is', null) : q.where('owner', '=', owner);
  if (exceptImageId !== undefined) q = q.where('id', '!=', exceptImageId);
  const stored = Number((await q.executeTakeFirstOrThrow()).total ?? 0);
  let s = db.selectFrom('image_staged').innerJoin('image', 'image.id', 'image_staged.image_id')
    .select((eb) => eb.fn.sum<number | string | null>('image_staged.size').as('total'));
  s = owner === null ? s.where('image.owner', 'is', null) : s.where('image.owner', '=', owner);
  if (exceptImageId !== undefined) s = s.where('image.id', '!=', exceptImageId);
  return stored + Number((await s.executeTakeFirstOrThrow()).total ?? 0);
}

export async function assertImageCountQuota(deps: ImageDomainDeps, owner: string | null): Promise<void> {
  const limit = deps.config.image.quotaImageCount;
  if (limit < 0) return;
  const used = await imageCount(deps.db, owner);
  if (used + 1 > limit) {
    throw new ApiError(413, `Resource image_count_total is over limit of ${limit} due to the following resources: used ${used}, requested 1.`);
  }
}

/** How many bytes one upload may carry: the image size cap and what is left of the size quota. */
export async function uploadAllowance(deps: ImageDomainDeps, owner: string | null, imageId: string): Promise<{ maxBytes: number; byQuota: boolean }> {
  const cap = deps.config.image.maxImageSizeBytes;
  const limit = deps.config.image.quotaImageSizeBytes;
  if (limit < 0) return { maxBytes: cap, byQuota: false };
  const left = Math.max(0, limit - (await bytesUsed(deps.db, owner, imageId)));
  return left < cap ? { maxBytes: left, byQuota: true } : { maxBytes: cap, byQuota: false };
}

export function quotaExceeded(byQuota: boolean, maxBytes: number): ApiError {
  return byQuota
    ? new ApiError(413, `Denying attempt to upload image because it exceeds the quota: the remaining storage quota is ${maxBytes} bytes.`)
    : new ApiError(413, `The incoming image is too large: the image size cap is ${maxBytes} bytes.`);
}

// PUT/DELETE /v2/images/{id}/tags/{tag}: tags are a set owned by the image's owner.
import { badRequest, notFound } from '../../core/errors.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import type { Caller } from './caller.js';
import type { ImageDomainDeps } from './deps.js';
import { assertMutable, enforceOnImage, loadVisibleImage, noSuchImage } from './image-access.js';
import { assertTagQuota } from './image-rules.js';

async function mutableImage(deps: ImageDomainDeps, caller: Caller, id: string) {
  const visible = await loadVisibleImage(deps, caller, id);
  enforceOnImage(deps, caller, 'modify_image', visible);
  assertMutable(visible.image, caller);
  return visible.image;
}

export async function addTag(deps: ImageDomainDeps, caller: Caller, id: string, tag: string): Promise<void> {
  if (tag.length > 255) throw badRequest(`Provided object does not match schema 'image': '${tag.slice(0, 40)}...' is too long`);
  const image = await mutableImage(deps, caller, id);
  if (image.tags.includes(tag)) return;
  assertTagQuota(image.tags.length + 1);
  try {
    await deps.db.transaction().execute(async (tx) => {
      await tx.insertInto('image_tag').values({ image_id: id, value: tag }).execute();
      await tx.updateTable('image').set({ updated_at: new Date().toISOString() }).where('id', '=', id).execute();
    });
  } catch (err) {
    // A concurrent request added the same tag: the set already holds it.
    if (isForeignKeyViolation(err)) noSuchImage(id);
    if (!isUniqueViolation(err)) throw err;
  }
}

export async function deleteTag(deps: ImageDomainDeps, caller: Caller, id: string, tag: string): Promise<void> {
  await mutableImage(deps, caller, id);
  const result = await deps.db.deleteFrom('image_tag').where('image_id', '=', id).where('value', '=', tag).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound(`Tag ${tag} not found.`);
  await deps.db.updateTable('image').set({ updated_at: new Date().toISOString() }).where('id', '=', id).execute();
}

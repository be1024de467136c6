// Deleting an image: the record (with its properties, tags, members, staged measurements and
// tasks, by cascade) goes in one statement, then its bytes. If the process dies between the two,
// the start-up sweep (recovery.ts) removes the orphaned file.
import { forbidden } from '../../core/errors.js';
import type { Caller } from './caller.js';
import type { ImageDomainDeps } from './deps.js';
import { assertMutable, enforceOnImage, loadVisibleImage, noSuchImage } from './image-access.js';

export async function deleteImage(deps: ImageDomainDeps, caller: Caller, id: string): Promise<void> {
  const visible = await loadVisibleImage(deps, caller, id);
  const { image } = visible;
  enforceOnImage(deps, caller, 'delete_image', visible);
  assertMutable(image, caller, 'You are not permitted to delete this image.');
  if (image.protected) throw forbidden(`Image ${id} is protected and cannot be deleted.`);
  // Conditional on protected still being 0: a concurrent PATCH setting it wins over the delete.
  const result = await deps.db.deleteFrom('image').where('id', '=', id).where('protected', '=', 0).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) {
    const again = await deps.db.selectFrom('image').select('protected').where('id', '=', id).executeTakeFirst();
    if (again === undefined) noSuchImage(id);
    throw forbidden(`Image ${id} is protected and cannot be deleted.`);
  }
  await removeImageData(deps, id);
}

/** Removes an image's stored and staged bytes; absent files are fine. */
export async function removeImageData(deps: ImageDomainDeps, id: string): Promise<void> {
  await deps.store.delete('images', id);
  await deps.store.delete('staging', id);
}

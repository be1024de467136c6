// PUT /v2/images/{id}/stage: the first half of glance-direct import. queued → uploading, the
// bytes go to the staging area, and what the store measured (size, hashes, detected format,
// safety findings) is recorded for the import to check. On failure: nothing staged, queued again.
import { ApiError } from '../../core/errors.js';
import { isForeignKeyViolation } from '../../db/errors.js';
import type { PendingData } from '../store/image-data-store.js';
import type { Caller } from './caller.js';
import type { ImageDomainDeps } from './deps.js';
import { assertMutable, enforceOnImage, loadVisibleImage } from './image-access.js';
import type { DataUpload } from './image-upload.js';
import { quotaExceeded, uploadAllowance } from './quotas.js';
import { claimStatus, moveStatus, receiveFailure } from './status.js';

async function recordStaged(deps: ImageDomainDeps, id: string, pending: PendingData): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('image_staged').where('image_id', '=', id).execute();
    await tx.insertInto('image_staged').values({
      image_id: id, size: pending.size, checksum: pending.checksum, os_hash_algo: pending.osHashAlgo,
      os_hash_value: pending.osHashValue, detected_format: pending.inspection.format,
      virtual_size: pending.inspection.virtualSize, safety_problems: JSON.stringify(pending.inspection.safetyProblems),
      created_at: new Date().toISOString(),
    }).execute();
  });
}

export async function stageImageData(deps: ImageDomainDeps, caller: Caller, id: string, upload: DataUpload): Promise<void> {
  const visible = await loadVisibleImage(deps, caller, id);
  enforceOnImage(deps, caller, 'modify_image', visible);
  assertMutable(visible.image, caller, `Not allowed to stage image data for image ${id}`);
  const { maxBytes, byQuota } = await uploadAllowance(deps, visible.image.owner, id);
  if (upload.length !== undefined && upload.length > maxBytes) throw quotaExceeded(byQuota, maxBytes);
  await claimStatus(deps.db, id, 'queued', 'uploading');

  let pending: PendingData | undefined;
  try {
    pending = await deps.store.receive('staging', id, upload.body, {
      maxBytes, ...(upload.length !== undefined ? { expectedSize: upload.length } : {}),
    });
    await pending.commit();
    await recordStaged(deps, id, pending);
  } catch (err) {
    await pending?.discard();
    await deps.store.delete('staging', id);
    if (isForeignKeyViolation(err)) throw new ApiError(410, `Image ${id} was deleted while its data was being staged.`);
    await moveStatus(deps.db, id, 'uploading', 'queued');
    throw receiveFailure(err, () => quotaExceeded(byQuota, maxBytes));
  }
}

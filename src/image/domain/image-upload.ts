// PUT /v2/images/{id}/file: queued → saving (atomically, so a second upload gets 409) → the
// store streams the bytes to a temporary file while hashing and inspecting them → checks → the
// file is renamed into place → saving → active with size, hashes and virtual size. Any failure
// before the rename discards the temporary file and puts the image back to queued, so an
// interrupted or refused upload leaves no data and a retry can start over.
import type { Readable } from 'node:stream';
import { ApiError } from '../../core/errors.js';
import type { PendingData } from '../store/image-data-store.js';
import type { Caller } from './caller.js';
import { dataProblem, missingFormats } from './data-checks.js';
import type { ImageDomainDeps } from './deps.js';
import { assertMutable, enforceOnImage, loadVisibleImage } from './image-access.js';
import { findImageRow } from './image-record.js';
import { quotaExceeded, uploadAllowance } from './quotas.js';
import { claimStatus, moveStatus, receiveFailure } from './status.js';

export interface DataUpload {
  readonly body: Readable;
  /** Content-Length, when the client sent one (chunked uploads do not). */
  readonly length?: number;
}

export async function uploadImageData(deps: ImageDomainDeps, caller: Caller, id: string, upload: DataUpload): Promise<void> {
  const visible = await loadVisibleImage(deps, caller, id);
  const { image } = visible;
  enforceOnImage(deps, caller, 'upload_image', visible);
  assertMutable(image, caller, `Not allowed to upload image data for image ${id}`);
  const missing = missingFormats(image);
  if (missing) throw missing;
  const { maxBytes, byQuota } = await uploadAllowance(deps, image.owner, id);
  if (upload.length !== undefined && upload.length > maxBytes) throw quotaExceeded(byQuota, maxBytes);
  await claimStatus(deps.db, id, 'queued', 'saving');
  // Formats are frozen from here on; read them again in case a PATCH changed them meanwhile.
  const diskFormat = (await findImageRow(deps.db, id))?.disk_format ?? image.disk_format!;

  let pending: PendingData | undefined;
  try {
    pending = await deps.store.receive('images', id, upload.body, {
      maxBytes, ...(upload.length !== undefined ? { expectedSize: upload.length } : {}),
    });
    const problem = dataProblem(diskFormat, pending.inspection);
    if (problem) throw problem;
    await pending.commit();
  } catch (err) {
    await pending?.discard();
    await moveStatus(deps.db, id, 'saving', 'queued');
    throw receiveFailure(err, () => quotaExceeded(byQuota, maxBytes));
  }

  const activated = await moveStatus(deps.db, id, 'saving', 'active', {
    size: pending.size, checksum: pending.checksum, os_hash_algo: pending.osHashAlgo, os_hash_value: pending.osHashValue,
    virtual_size: pending.inspection.virtualSize,
  });
  if (!activated) {
    // The image was deleted while its data streamed in: do not leave the bytes behind.
    await deps.store.delete('images', id);
    throw new ApiError(410, `Image ${id} could not be found after upload. The image may have been deleted during the upload, cleaning up the chunks uploaded.`);
  }
}

// POST /v2/images/{id}/import with glance-direct: uploading → importing (atomically, so one import
// wins), the staged measurements pass the same checks as a direct upload, the staged file is
// renamed into the images area, importing → active. The work is a rename, so it runs inside the
// request; the task record tells the story as Glance's does. A refused import fails its task,
// drops the staged data and returns the image to queued.
import { ApiError, conflict } from '../../core/errors.js';
import { isForeignKeyViolation } from '../../db/errors.js';
import { isImageStoreError } from '../store/store-errors.js';
import type { ImageStagedRow } from '../db/schema.js';
import type { Caller } from './caller.js';
import { STORE_ID } from './constants.js';
import { dataProblem } from './data-checks.js';
import type { ImageDomainDeps } from './deps.js';
import { assertMutable, enforceOnImage, loadVisibleImage } from './image-access.js';
import { findImageRow } from './image-record.js';
import { createTask, finishTask } from './image-tasks.js';
import { quotaExceeded, uploadAllowance } from './quotas.js';
import { moveStatus } from './status.js';

export interface ImportRequest {
  readonly method: 'glance-direct';
  /** The request body as sent, recorded in the task's input. */
  readonly body: Record<string, unknown>;
  readonly requestId: string;
}

function checkImportable(image: { status: string; container_format: string | null; disk_format: string | null }): void {
  if (image.status === 'active') throw conflict('Image with status active cannot be target for import');
  if (image.status !== 'uploading') throw conflict("Image needs to be staged before 'glance-direct' method can be used");
  if (!image.container_format) throw conflict("'container_format' needs to be set before import");
  if (!image.disk_format) throw conflict("'disk_format' needs to be set before import");
}

async function abandon(deps: ImageDomainDeps, id: string): Promise<void> {
  await moveStatus(deps.db, id, 'importing', 'queued');
  await deps.db.deleteFrom('image_staged').where('image_id', '=', id).execute();
  await deps.store.delete('staging', id);
}

export async function importImage(deps: ImageDomainDeps, caller: Caller, id: string, request: ImportRequest): Promise<void> {
  const visible = await loadVisibleImage(deps, caller, id);
  const { image } = visible;
  enforceOnImage(deps, caller, 'modify_image', visible);
  assertMutable(image, caller, `Not allowed to import image ${id}`);
  checkImportable(image);
  const staged = await deps.db.selectFrom('image_staged').selectAll().where('image_id', '=', id).executeTakeFirst();
  if (staged === undefined) throw conflict("Image needs to be staged before 'glance-direct' method can be used");
  const { maxBytes, byQuota } = await uploadAllowance(deps, image.owner, id);
  if (Number(staged.size) > maxBytes) throw quotaExceeded(byQuota, maxBytes);

  if (!(await moveStatus(deps.db, id, 'uploading', 'importing'))) {
    throw conflict(`New operation on image '${id}' is not permitted as prior operation is still in progress`);
  }
  const task = await createTask(deps.db, caller, id, { image_id: id, import_req: request.body, backend: [STORE_ID] }, request.requestId)
    .catch((err: unknown) => {
      if (isForeignKeyViolation(err)) throw new ApiError(410, `Image ${id} was deleted during the import.`);
      throw err;
    });
  try {
    // Formats are frozen once importing: check against what they are now, not when we looked.
    const diskFormat = (await findImageRow(deps.db, id))?.disk_format;
    if (!diskFormat) throw conflict("'disk_format' needs to be set before import");
    await promoteStaged(deps, id, diskFormat, staged);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await finishTask(deps.db, task.id, { status: 'failure', message });
    await abandon(deps, id);
    throw err;
  }
  await finishTask(deps.db, task.id, { status: 'success', result: { image_id: id } });
}

async function promoteStaged(deps: ImageDomainDeps, id: string, diskFormat: string, staged: ImageStagedRow): Promise<void> {
  const problem = dataProblem(diskFormat, {
    format: staged.detected_format as never,
    virtualSize: staged.virtual_size === null ? null : Number(staged.virtual_size),
    safetyProblems: JSON.parse(staged.safety_problems) as string[],
  });
  if (problem) throw problem;
  try {
    await deps.store.promote(id);
  } catch (err) {
    if (isImageStoreError(err, 'not-found')) throw conflict(`The staged data of image ${id} is missing; stage it again.`);
    throw err;
  }
  const activated = await moveStatus(deps.db, id, 'importing', 'active', {
    size: staged.size, checksum: staged.checksum, os_hash_algo: staged.os_hash_algo, os_hash_value: staged.os_hash_value,
    virtual_size: staged.virtual_size,
  });
  await deps.db.deleteFrom('image_staged').where('image_id', '=', id).execute();
  if (!activated) {
    await deps.store.delete('images', id);
    throw new ApiError(410, `Image ${id} was deleted during the import.`);
  }
}

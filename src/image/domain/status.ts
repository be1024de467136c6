// The image state machine's one primitive: a conditional UPDATE that moves an image from an
// expected status to the next. Exactly one of two racing requests sees its row updated; the
// other learns the status it lost to and answers 409.
import type { Kysely, Updateable } from 'kysely';
import { ApiError, conflict, isApiError } from '../../core/errors.js';
import { isImageStoreError } from '../store/store-errors.js';
import type { ImageDb, ImageRow } from '../db/schema.js';
import { noSuchImage } from './image-access.js';

type Db = Kysely<ImageDb>;

export async function moveStatus(db: Db, id: string, from: string, to: string, values: Updateable<ImageRow> = {}): Promise<boolean> {
  const result = await db.updateTable('image').set({ ...values, status: to, updated_at: new Date().toISOString() })
    .where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Claims the image for `to`, or explains (404/409) why it cannot be claimed. */
export async function claimStatus(db: Db, id: string, from: string, to: string): Promise<void> {
  if (await moveStatus(db, id, from, to)) return;
  const now = await db.selectFrom('image').select('status').where('id', '=', id).executeTakeFirst();
  if (now === undefined) noSuchImage(id);
  throw conflict(`Image status transition from ${now.status} to ${to} is not allowed`);
}

/** A store or stream failure while receiving data, as the status Glance answers with. */
export function receiveFailure(err: unknown, tooLarge: () => ApiError): unknown {
  if (isApiError(err)) return err;
  if (isImageStoreError(err, 'too-large')) return tooLarge();
  if (isImageStoreError(err, 'size-mismatch')) return new ApiError(400, `Image data size mismatch: ${err.message}.`);
  if (isImageStoreError(err, 'aborted')) return new ApiError(400, 'The image data upload was interrupted before it completed.');
  if (isImageStoreError(err, 'invalid-id')) return new ApiError(404, 'No image found with this ID');
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ApiError(413, 'Image storage media is full.');
  if (code === 'EACCES' || code === 'EROFS') return new ApiError(503, 'Insufficient permissions on image storage media.');
  return err;
}

// Nova's _rotate_backups (compute/manager.py): after a backup is uploaded, the server's backups of
// that backup_type, newest first, are cut to `rotation` — the oldest go. Rotation 0 keeps none,
// the backup just made included, as Nova does. A failed delete is logged, the rest still go.
import type { Image } from '../../core/clients/index.js';
import type { Logger } from '../../core/logger.js';
import type { BackupRotation } from './rpc-handlers.js';

export interface BackupImages {
  listImages(filters: Readonly<Record<string, string>>): Promise<Image[]>;
  deleteImage(id: string): Promise<unknown>;
}

/** The backups beyond `rotation`, oldest last in `newestFirst` order: the ones to delete. */
export function backupsToDelete(images: readonly Image[], rotation: number): Image[] {
  const newestFirst = [...images].sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')));
  return newestFirst.slice(rotation);
}

export async function rotateBackups(images: BackupImages, uuid: string, backup: BackupRotation, log: Logger): Promise<void> {
  const found = await images.listImages({ instance_uuid: uuid, image_type: 'backup', backup_type: backup.type, sort_key: 'created_at', sort_dir: 'desc' });
  for (const image of backupsToDelete(found, backup.rotation)) {
    log.info({ image: image.id }, 'deleting a backup beyond the rotation');
    await images.deleteImage(image.id).catch((err: unknown) => log.warn({ err, image: image.id }, 'could not delete an old backup'));
  }
}

// createImage (compute/api.py snapshot and _create_image): an image record made in the image
// service as the caller (private, qcow2, the properties the server's image gave it, the
// server's uuid, image_type=snapshot, base_image_ref and the body's metadata), task_state
// image_snapshot_pending claimed conditionally with a `createImage` action, then the host's agent
// told to fill it (snapshot_instance). Active, stopped, paused and suspended servers only.
// createBackup is the same with image_type=backup, task_state image_backup, a `createBackup`
// action and backup_instance, whose agent then rotates the server's older backups.
import { ApiError } from '../../../core/errors.js';
import type { Image, ImageClient } from '../../../core/clients/index.js';
import type { ComputeDeps } from '../../api/deps.js';
import type { InstanceRow } from '../../db/schema.js';
import { inTransaction, nowIso } from '../../db/transaction.js';
import { COMPUTE_RPC_TOPIC, type FlavorSnapshot } from '../../rpc/compute-protocol.js';
import type { Caller } from '../caller.js';
import { INSTANCE_ACTION, recordInstanceAction } from './instance-actions.js';
import { instanceInvalidState, instanceNotReady, systemMetadataOf } from './lookup.js';

const SNAPSHOT_VM_STATES = ['active', 'stopped', 'paused', 'suspended'];
/** System metadata that is about the image record itself, not properties to pass on. */
const NOT_INHERITED = new Set(['base_image_ref', 'min_ram', 'min_disk', 'disk_format', 'container_format', 'instance_uuid', 'image_type', 'user_id']);

/** The new image's properties: the server's image_* system metadata, then what marks a snapshot, then the body's. */
export function snapshotProperties(row: InstanceRow, caller: Caller, extra: Readonly<Record<string, string>>): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const [key, value] of Object.entries(systemMetadataOf(row))) {
    if (!key.startsWith('image_')) continue;
    const name = key.slice('image_'.length);
    if (!NOT_INHERITED.has(name)) inherited[name] = value;
  }
  return { ...inherited, instance_uuid: row.uuid, user_id: caller.userId, image_type: 'snapshot', base_image_ref: row.image_ref, ...extra };
}

function sysmetaNumber(row: InstanceRow, key: string): number {
  const n = Number(systemMetadataOf(row)[key]);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** The image record a snapshot of the server goes into (private qcow2 with the server's image properties). */
export async function createSnapshotImage(images: ImageClient, row: InstanceRow, caller: Caller, name: string, metadata: Readonly<Record<string, string>>): Promise<Image> {
  const flavor = JSON.parse(row.flavor) as FlavorSnapshot;
  try {
    return await images.createImage({
      name, disk_format: 'qcow2', container_format: 'bare', visibility: 'private',
      min_ram: sysmetaNumber(row, 'image_min_ram'), min_disk: Math.max(flavor.root_gb, sysmetaNumber(row, 'image_min_disk')),
      ...snapshotProperties(row, caller, metadata),
    });
  } catch (err) {
    throw new ApiError(400, `Could not create the snapshot image: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** What differs between createImage and createBackup (compute/api.py snapshot and backup). */
export interface SnapshotKind {
  /** The instance action and the name in InstanceInvalidState's message. */
  readonly action: string;
  readonly taskState: string;
  /** The agent's cast, and what it carries besides {uuid, request_id, image_id}. */
  readonly method: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export const CREATE_IMAGE_KIND: SnapshotKind = { action: INSTANCE_ACTION.CREATE_IMAGE, taskState: 'image_snapshot_pending', method: 'snapshot_instance', args: {} };

export async function snapshotServer(
  deps: ComputeDeps, caller: Caller, images: ImageClient, row: InstanceRow, name: string, metadata: Readonly<Record<string, string>>,
  kind: SnapshotKind = CREATE_IMAGE_KIND,
): Promise<Image> {
  if (!row.host) throw instanceNotReady(row.uuid);
  if (!SNAPSHOT_VM_STATES.includes(row.vm_state)) throw instanceInvalidState(row.uuid, kind.action, 'vm_state', row.vm_state);
  if (row.task_state !== null) throw instanceInvalidState(row.uuid, kind.action, 'task_state', row.task_state);
  const image = await createSnapshotImage(images, row, caller, name, metadata);
  try {
    await inTransaction(deps.db, async (trx) => {
      const result = await trx.updateTable('nova_instance').set({ task_state: kind.taskState, updated_at: nowIso() })
        .where('uuid', '=', row.uuid).where('deleted', '=', 0).where('vm_state', 'in', SNAPSHOT_VM_STATES).where('task_state', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) {
        throw new ApiError(409, `Conflict updating instance ${row.uuid}. Expected: {'task_state': [None]}. Actual: {'task_state': '${kind.taskState}'}`, 'UnexpectedTaskStateError');
      }
      await recordInstanceAction(trx, {
        action: kind.action, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId,
      });
    });
  } catch (error) {
    // The server said no after the image record was made: no empty image is left behind.
    await images.deleteImage(image.id).catch(() => undefined);
    throw error;
  }
  if (deps.bus !== undefined) {
    await deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host }, kind.method, { uuid: row.uuid, request_id: caller.requestId, image_id: image.id, ...kind.args });
  }
  return image;
}

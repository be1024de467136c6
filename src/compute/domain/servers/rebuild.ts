// The rebuild action (compute/api.py rebuild): the same server, ports and flavor on a new image,
// with optional new name, metadata, access IPs, key (2.54), user data (2.57), description (2.19)
// and hostname (2.90). Refused when locked or not active/stopped/error with no task; the image
// must be active, visible to the caller and fit the flavor. The row changes, task_state
// `rebuilding` is claimed conditionally and the `rebuild` action recorded in one transaction; the
// host's agent is then told (rebuild_instance) and swaps the disk.
import type { Kysely } from 'kysely';
import { ApiError } from '../../../core/errors.js';
import type { ComputeDeps } from '../../api/deps.js';
import type { ComputeDb, InstanceRow } from '../../db/schema.js';
import { inTransaction, nowIso } from '../../db/transaction.js';
import { COMPUTE_RPC_TOPIC, type FlavorSnapshot } from '../../rpc/compute-protocol.js';
import type { Caller } from '../caller.js';
import { storedAccessIp } from './access-ip.js';
import { generatePassword, keyData } from './create.js';
import { checkFlavorFitsImage, imageSystemMetadata, resolveImage } from './create-image.js';
import { INSTANCE_ACTION, recordInstanceAction } from './instance-actions.js';
import { checkNotLocked, instanceInvalidState, instanceNotReady, systemMetadataOf } from './lookup.js';

export interface RebuildInput {
  readonly imageRef: string;
  readonly name?: string;
  readonly adminPass?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly accessIPv4?: string;
  readonly accessIPv6?: string;
  readonly description?: string | null;
  /** undefined: keep; null: remove (2.54). */
  readonly keyName?: string | null;
  /** undefined: keep; null: remove (2.57). */
  readonly userData?: string | null;
  readonly hostname?: string;
}

const REBUILD_VM_STATES = ['active', 'stopped', 'error'];

function checkRebuildable(row: InstanceRow): void {
  if (!row.host) throw instanceNotReady(row.uuid);
  if (!REBUILD_VM_STATES.includes(row.vm_state)) throw instanceInvalidState(row.uuid, 'rebuild', 'vm_state', row.vm_state);
  if (row.task_state !== null) throw instanceInvalidState(row.uuid, 'rebuild', 'task_state', row.task_state);
}

async function replaceMetadata(trx: Kysely<ComputeDb>, uuid: string, metadata: Readonly<Record<string, string>>): Promise<void> {
  await trx.deleteFrom('nova_instance_metadata').where('instance_uuid', '=', uuid).execute();
  const rows = Object.entries(metadata).map(([key, value]) => ({ instance_uuid: uuid, key, value }));
  if (rows.length > 0) await trx.insertInto('nova_instance_metadata').values(rows).execute();
}

/** Image properties of the old image go; the new image's come (image_* system metadata). */
function systemMetadataFor(row: InstanceRow, image: Parameters<typeof imageSystemMetadata>[0]): string {
  const kept = Object.fromEntries(Object.entries(systemMetadataOf(row)).filter(([k]) => !k.startsWith('image_')));
  return JSON.stringify({ ...kept, ...imageSystemMetadata(image) });
}

export interface RebuildOutcome {
  readonly row: InstanceRow;
  readonly adminPass: string;
}

export async function rebuildServer(deps: ComputeDeps, caller: Caller, token: string, row: InstanceRow, input: RebuildInput): Promise<RebuildOutcome> {
  checkNotLocked(caller, row);
  checkRebuildable(row);
  const image = await resolveImage(deps.clients.imageAs(token, caller.requestId), input.imageRef);
  checkFlavorFitsImage(JSON.parse(row.flavor) as FlavorSnapshot, image);
  const key = input.keyName === undefined ? undefined : input.keyName === null ? null : await keyData(deps, caller, input.keyName);
  const adminPass = input.adminPass ?? generatePassword();
  const wasStopped = row.vm_state === 'stopped';

  const updated = await inTransaction(deps.db, async (trx) => {
    const result = await trx.updateTable('nova_instance').set({
      task_state: 'rebuilding', image_ref: image.id, system_metadata: systemMetadataFor(row, image), updated_at: nowIso(),
      ...(input.name !== undefined ? { display_name: input.name.trim() } : {}),
      ...(input.description !== undefined ? { display_description: input.description } : {}),
      ...(input.accessIPv4 !== undefined ? { access_ip_v4: storedAccessIp(input.accessIPv4) } : {}),
      ...(input.accessIPv6 !== undefined ? { access_ip_v6: storedAccessIp(input.accessIPv6) } : {}),
      ...(input.keyName !== undefined ? { key_name: input.keyName, key_data: key ?? null } : {}),
      ...(input.userData !== undefined ? { user_data: input.userData } : {}),
      ...(input.hostname !== undefined ? { hostname: input.hostname } : {}),
    }).where('uuid', '=', row.uuid).where('deleted', '=', 0).where('vm_state', 'in', REBUILD_VM_STATES).where('task_state', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new ApiError(409, `Conflict updating instance ${row.uuid}. Expected: {'task_state': [None]}. Actual: {'task_state': 'rebuilding'}`, 'UnexpectedTaskStateError');
    }
    if (input.metadata !== undefined) await replaceMetadata(trx, row.uuid, input.metadata);
    await recordInstanceAction(trx, {
      action: INSTANCE_ACTION.REBUILD, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId,
    });
    return trx.selectFrom('nova_instance').selectAll().where('uuid', '=', row.uuid).executeTakeFirstOrThrow();
  });
  if (deps.bus !== undefined) {
    const metadata = await deps.db.selectFrom('nova_instance_metadata').select(['key', 'value']).where('instance_uuid', '=', row.uuid).execute();
    await deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host! }, 'rebuild_instance', {
      uuid: row.uuid, request_id: caller.requestId, image_id: image.id, display_name: updated.display_name, hostname: updated.hostname,
      key_name: updated.key_name, key_data: updated.key_data, user_data: updated.user_data,
      metadata: Object.fromEntries(metadata.map((m) => [m.key, m.value])), admin_password: adminPass, stopped: wasStopped,
    });
  }
  return { row: updated, adminPass };
}

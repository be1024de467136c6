// os-instance-actions records (nova/objects/instance_action.py): one action per API request that
// acts on a server (create, delete, stop, start, reboot, …), with events that the conductor and
// agents start and finish (compute__do_build_and_run_instance, compute_stop_instance, …).
import type { Kysely } from 'kysely';
import type { ComputeDb } from '../../db/schema.js';
import { nextId, nowIso } from '../../db/transaction.js';

/** Nova's action names (nova.compute.instance_actions). */
export const INSTANCE_ACTION = {
  CREATE: 'create', DELETE: 'delete', STOP: 'stop', START: 'start', REBOOT: 'reboot',
  REBUILD: 'rebuild', CREATE_IMAGE: 'createImage', TRIGGER_CRASH_DUMP: 'trigger_crash_dump', LOCK: 'lock', UNLOCK: 'unlock', PAUSE: 'pause', UNPAUSE: 'unpause', SUSPEND: 'suspend', RESUME: 'resume',
  RESIZE: 'resize', MIGRATE: 'migrate', CONFIRM_RESIZE: 'confirmResize', REVERT_RESIZE: 'revertResize', LIVE_MIGRATION: 'live-migration', EVACUATE: 'evacuate',
  SHELVE: 'shelve', SHELVE_OFFLOAD: 'shelveOffload', UNSHELVE: 'unshelve',
  RESCUE: 'rescue', UNRESCUE: 'unrescue', ATTACH_INTERFACE: 'attach_interface', DETACH_INTERFACE: 'detach_interface', CHANGE_PASSWORD: 'changePassword',
  RESET_STATE: 'resetState', BACKUP: 'createBackup',
} as const;

export interface ActionStart {
  readonly action: string;
  readonly instanceUuid: string;
  readonly requestId: string;
  readonly userId: string;
  readonly projectId: string;
}

/** Records the start of an action (inside the caller's transaction); returns its id. */
export async function recordInstanceAction(trx: Kysely<ComputeDb>, a: ActionStart): Promise<number> {
  const id = await nextId(trx, 'nova_instance_action');
  const now = nowIso();
  await trx.insertInto('nova_instance_action').values({
    id, action: a.action, instance_uuid: a.instanceUuid, request_id: a.requestId, user_id: a.userId, project_id: a.projectId,
    start_time: now, finish_time: null, message: null, created_at: now, updated_at: now,
  }).execute();
  return id;
}

/** The action a request started on a server (the newest, if a request id was reused). */
export async function findInstanceAction(db: Kysely<ComputeDb>, instanceUuid: string, requestId: string): Promise<{ id: number } | undefined> {
  return db.selectFrom('nova_instance_action').select('id').where('instance_uuid', '=', instanceUuid).where('request_id', '=', requestId)
    .orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** Starts an event of an action (the conductor's and agents' action_event_start). */
export async function startActionEvent(trx: Kysely<ComputeDb>, actionId: number, event: string, host: string | null): Promise<void> {
  const id = await nextId(trx, 'nova_instance_action_event');
  await trx.insertInto('nova_instance_action_event').values({
    id, action_id: actionId, event, result: null, traceback: null, start_time: nowIso(), finish_time: null, host, details: null,
  }).execute();
}

/**
 * Finishes the newest unfinished event of that name; an Error result also marks the action's
 * message 'Error' as Nova does (shown to non-admins instead of the traceback).
 */
export async function finishActionEvent(trx: Kysely<ComputeDb>, actionId: number, event: string, result: 'Success' | 'Error', traceback: string | null = null): Promise<void> {
  const now = nowIso();
  const open = await trx.selectFrom('nova_instance_action_event').select('id').where('action_id', '=', actionId).where('event', '=', event)
    .where('finish_time', 'is', null).orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (open) await trx.updateTable('nova_instance_action_event').set({ result, traceback, finish_time: now }).where('id', '=', open.id).execute();
  const patch = result === 'Error' ? { message: 'Error', updated_at: now } : { updated_at: now };
  await trx.updateTable('nova_instance_action').set(patch).where('id', '=', actionId).execute();
}

/** Marks the action finished (finish_time), as Nova does when the last event ends. */
export async function finishInstanceAction(trx: Kysely<ComputeDb>, actionId: number): Promise<void> {
  const now = nowIso();
  await trx.updateTable('nova_instance_action').set({ finish_time: now, updated_at: now }).where('id', '=', actionId).execute();
}

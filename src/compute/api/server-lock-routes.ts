// lock / unlock (nova/api/openstack/compute/lock_server.py, compute/api.py lock and unlock).
// Locking works in any state and records who locked: 'owner' when the caller's project owns the
// server, else 'admin'; from 2.73 with an optional reason. Unlocking a lock someone of the other
// kind set needs os-lock-server:unlock:unlock_override (admins). Both are instance actions.
import type { Kysely } from 'kysely';
import type { ComputeDb, InstanceRow } from '../db/schema.js';
import { inTransaction, nowIso } from '../db/transaction.js';
import type { Caller } from '../domain/caller.js';
import { allowed, enforce } from '../domain/policy.js';
import { policyNotAuthorized } from '../domain/errors.js';
import { INSTANCE_ACTION, recordInstanceAction } from '../domain/servers/instance-actions.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import type { Ctx, Endpoint } from './router.js';
import { validateBody, type Schema } from './validation.js';

const LOCK_V2_73: Schema = {
  type: 'object',
  properties: {
    lock: {
      type: ['object', 'null'],
      properties: { locked_reason: { type: 'string', minLength: 1, maxLength: 255 } },
      additionalProperties: false,
    },
  },
  required: ['lock'],
  additionalProperties: false,
};

/** compute/api.py is_expected_locked_by: not locked, or locked by the caller's own kind. */
function lockedByCallerKind(caller: Caller, row: InstanceRow): boolean {
  return !row.locked_by || row.locked_by === (row.project_id === caller.projectId ? 'owner' : 'admin');
}

async function setLock(db: Kysely<ComputeDb>, ctx: Ctx, row: InstanceRow, lock: { by: string; reason: string | null } | null): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.updateTable('nova_instance').set({
      locked: lock ? 1 : 0, locked_by: lock?.by ?? null, locked_reason: lock?.reason ?? null, updated_at: nowIso(),
    }).where('uuid', '=', row.uuid).where('deleted', '=', 0).execute();
    await recordInstanceAction(trx, {
      action: lock ? INSTANCE_ACTION.LOCK : INSTANCE_ACTION.UNLOCK, instanceUuid: row.uuid,
      requestId: ctx.caller.requestId, userId: ctx.caller.userId, projectId: ctx.caller.projectId,
    });
  });
}

async function lock(ctx: Ctx): Promise<void> {
  // Before 2.73 Nova validates nothing here ({"lock": null} is the documented body).
  const reason = ctx.mv.atLeast('2.73')
    ? validateBody<{ lock: { locked_reason?: string } | null }>(ctx.body, LOCK_V2_73).lock?.locked_reason ?? null
    : null;
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-lock-server:lock', instanceTarget(row));
  await setLock(ctx.deps.db, ctx, row, { by: row.project_id === ctx.caller.projectId ? 'owner' : 'admin', reason });
}

async function unlock(ctx: Ctx): Promise<void> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-lock-server:unlock', instanceTarget(row));
  if (!lockedByCallerKind(ctx.caller, row)) {
    const override = 'os_compute_api:os-lock-server:unlock:unlock_override';
    if (!allowed(ctx.deps.policy, ctx.caller, override, instanceTarget(row))) throw policyNotAuthorized(override);
  }
  await setLock(ctx.deps.db, ctx, row, null);
}

export const SERVER_LOCK_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  lock: [{ status: 202, handler: lock }],
  unlock: [{ status: 202, handler: unlock }],
};

// os-resetState (nova/api/openstack/compute/admin_actions.py _reset_state): an admin forces a
// server's vm_state to active or error and clears its task state, whatever it was doing — the
// way out of a stuck task. Nova records it as a `resetState` action started and finished at once;
// nothing is sent to the host.
import { inTransaction, nowIso } from '../db/transaction.js';
import { enforce } from '../domain/policy.js';
import { INSTANCE_ACTION, finishInstanceAction, recordInstanceAction } from '../domain/servers/instance-actions.js';
import { visibleInstance } from '../domain/servers/lookup.js';
import type { Ctx, Endpoint } from './router.js';
import { validateBody, type Schema } from './validation.js';

const RESET_STATE: Schema = {
  type: 'object',
  properties: {
    'os-resetState': {
      type: 'object',
      properties: { state: { type: 'string', enum: ['active', 'error'] } },
      required: ['state'],
      additionalProperties: false,
    },
  },
  required: ['os-resetState'],
  additionalProperties: false,
};

async function resetState(ctx: Ctx): Promise<void> {
  const state = validateBody<{ 'os-resetState': { state: 'active' | 'error' } }>(ctx.body, RESET_STATE)['os-resetState'].state;
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-admin-actions:reset_state', { project_id: row.project_id });
  await inTransaction(ctx.deps.db, async (trx) => {
    const actionId = await recordInstanceAction(trx, {
      action: INSTANCE_ACTION.RESET_STATE, instanceUuid: row.uuid, requestId: ctx.caller.requestId, userId: ctx.caller.userId, projectId: ctx.caller.projectId,
    });
    await trx.updateTable('nova_instance').set({ vm_state: state, task_state: null, updated_at: nowIso() })
      .where('uuid', '=', row.uuid).where('deleted', '=', 0).execute();
    await finishInstanceAction(trx, actionId);
  });
}

export const SERVER_RESET_STATE_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  'os-resetState': [{ status: 202, handler: resetState }],
};

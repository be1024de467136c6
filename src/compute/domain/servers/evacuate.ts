// evacuate as the API starts it (nova/compute/api.py evacuate): an admin rebuilds a server of a
// dead host elsewhere. Its host's nova-compute must be down (not heard from within
// service_down_time, or forced down) — a live agent might still run the guest, and two copies
// of one server on one set of ports must never run. Then, in one transaction, task_state
// rebuilding, an `evacuate` action and an `evacuation` migration (accepted: the tombstone the
// source finds when it comes back); the conductor is cast to and does the rest.
import { badRequest, notFound } from '../../../core/errors.js';
import type { ComputeDeps } from '../../api/deps.js';
import { CONDUCTOR_TOPIC } from '../../conductor/protocol.js';
import type { InstanceRow, MigrationRow } from '../../db/schema.js';
import { serviceIsUp } from '../availability-zones.js';
import type { Caller } from '../caller.js';
import { getComputeService } from '../services.js';
import { checkAdminPass } from './admin-password.js';
import { INSTANCE_ACTION } from './instance-actions.js';
import { instanceInvalidState, instanceNotReady } from './lookup.js';
import { startAcceptedMove } from './move-start.js';

const EVACUATE_VM_STATES = ['active', 'stopped', 'error'];

export interface EvacuationRequest {
  readonly host: string | null;
  /** 2.29–2.67: skip the scheduler's filters for the named host. */
  readonly force: boolean;
  readonly adminPass: string | null;
  /** 2.95: the server is stopped on its new host, whatever it was. */
  readonly stopped: boolean;
}

export async function startEvacuation(deps: ComputeDeps, caller: Caller, row: InstanceRow, request: EvacuationRequest): Promise<MigrationRow> {
  if (request.adminPass !== null) checkAdminPass(request.adminPass);
  if (request.host !== null && !(await getComputeService(deps.db, request.host))) {
    throw notFound(`Compute host ${request.host} not found.`, 'ComputeHostNotFound');
  }
  if (row.host === request.host) throw badRequest("The target host can't be the same one.");
  if (!row.host) throw instanceNotReady(row.uuid);
  if (!EVACUATE_VM_STATES.includes(row.vm_state)) throw instanceInvalidState(row.uuid, 'evacuate', 'vm_state', row.vm_state);
  if (row.task_state !== null) throw instanceInvalidState(row.uuid, 'evacuate', 'task_state', row.task_state);
  // A host with no service row left is as down as one can be.
  const service = await getComputeService(deps.db, row.host);
  if (service !== undefined && serviceIsUp(service, deps.compute)) {
    throw badRequest(`Compute service of ${row.host} is still in use.`, 'ComputeServiceInUse');
  }
  const migration = await startAcceptedMove(deps.db, caller, { ...row, host: row.host },
    { task: 'rebuilding', vmStates: EVACUATE_VM_STATES, action: INSTANCE_ACTION.EVACUATE, type: 'evacuation' });
  await deps.bus?.cast({ topic: CONDUCTOR_TOPIC }, 'evacuate_instance', {
    uuid: row.uuid, request_id: caller.requestId, migration_uuid: migration.uuid, host: request.host, force: request.force,
    admin_password: request.adminPass, stopped: request.stopped,
  });
  return migration;
}

// os-migrateLive as the API starts it (nova/compute/api.py live_migrate): a running or paused
// server, not locked, no task; task_state migrating, a `live-migration` action and a migration
// row (accepted) in one transaction; the conductor is then cast to (Nova's async live migration
// since 2.25: failures show on the server's migration and actions, not in this answer).
import { badRequest } from '../../../core/errors.js';
import type { ComputeDeps } from '../../api/deps.js';
import { CONDUCTOR_TOPIC } from '../../conductor/protocol.js';
import type { InstanceRow, MigrationRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import { getComputeService } from '../services.js';
import { INSTANCE_ACTION } from './instance-actions.js';
import { checkNotLocked, instanceInvalidState, instanceNotReady } from './lookup.js';
import { startAcceptedMove } from './move-start.js';

const LIVE_VM_STATES = ['active', 'paused'];

export interface LiveMigrationRequest {
  readonly host: string | null;
  /** 2.30–2.67: skip the scheduler's filters for the named host. */
  readonly force: boolean;
}

export async function startLiveMigration(deps: ComputeDeps, caller: Caller, row: InstanceRow, request: LiveMigrationRequest): Promise<MigrationRow> {
  checkNotLocked(caller, row);
  if (!row.host) throw instanceNotReady(row.uuid);
  if (!LIVE_VM_STATES.includes(row.vm_state)) throw instanceInvalidState(row.uuid, 'os-migrateLive', 'vm_state', row.vm_state);
  if (row.task_state !== null) throw instanceInvalidState(row.uuid, 'os-migrateLive', 'task_state', row.task_state);
  if (request.host !== null) {
    if (request.host === row.host) throw badRequest(`Unable to migrate instance (${row.uuid}) to current host (${row.host}).`, 'UnableToMigrateToSelf');
    const service = await getComputeService(deps.db, request.host);
    if (!service) throw badRequest(`Compute host ${request.host} could not be found.`, 'ComputeHostNotFound');
  }
  const migration = await startAcceptedMove(deps.db, caller, { ...row, host: row.host },
    { task: 'migrating', vmStates: LIVE_VM_STATES, action: INSTANCE_ACTION.LIVE_MIGRATION, type: 'live-migration' });
  await deps.bus?.cast({ topic: CONDUCTOR_TOPIC }, 'live_migrate_instance',
    { uuid: row.uuid, request_id: caller.requestId, migration_uuid: migration.uuid, host: request.host, force: request.force });
  return migration;
}

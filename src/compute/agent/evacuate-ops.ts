// Evacuation on the hosts (nova/compute/manager.py rebuild_instance with recreate=True, and
// init_host's _destroy_evacuated_instances):
//   destination  rebuild_evacuated_instance  the server (already switched here by the conductor)
//                rebuilt from its image as a rebuild does — the dead host's disk is out of reach —
//                with the same ports bound to this host; started (waiting for network-vif-plugged
//                as a build) unless it was stopped → migration done; failure → ERROR with a fault,
//                migration failed
//   source       destroyEvacuatedInstances   at start-up, before anything else looks at guests:
//                the servers evacuated away while this host was down lose their guest and files
//                here (never their ports: they are the destination's now), the migration is
//                completed and the dead host's resources freed (evacuation_cleaned)
import type { Logger } from '../../core/logger.js';
import { POWER_STATE } from '../conductor/instance-protocol.js';
import type { InstanceRecord } from './instance-files.js';
import { ACTION_EVENTS, InstanceGoneError, type InstanceManager } from './manager.js';
import { bindPortsHere, moveStep, refreshNetwork, startGuest, type MoveRequest } from './move-ops.js';

export interface RebuildEvacuatedRequest extends MoveRequest {
  /** The build (from the server's row and spec, image = its image) and its ports, `created` = not the user's. */
  readonly record: InstanceRecord;
  readonly power_on: boolean;
}

export function rebuildEvacuatedInstance(m: InstanceManager, r: RebuildEvacuatedRequest): Promise<void> {
  const { uuid, record: { build, ports } } = r;
  const report = (status: 'done' | 'failed') => m.conductor('migration_status', { migration_uuid: r.migration_uuid, host: m.host, status });
  return moveStep(m, r, ACTION_EVENTS.rebuild, async () => {
    if (!(await m.instanceUpdate(uuid, { task_state: 'rebuild_spawning' }, ['rebuilding'])).updated) throw new InstanceGoneError(uuid);
    const hardware = await m.freshDisk(build);
    const record: InstanceRecord = { build, ports, hardware };
    await m.files.saveRecord(record);
    await bindPortsHere(m, record);
    await refreshNetwork(m, record);
    const power = r.power_on ? await startGuest(m, record) : POWER_STATE.SHUTDOWN;
    const done = await m.instanceUpdate(uuid, r.power_on
      ? { vm_state: 'active', task_state: null, power_state: power, launched_at: new Date().toISOString() }
      : { vm_state: 'stopped', task_state: null, power_state: power }, ['rebuild_spawning']);
    if (!done.updated) throw new InstanceGoneError(uuid);
    await report('done');
    m.logger.info({ instance: uuid, request_id: r.request_id, power_on: r.power_on }, 'evacuated instance rebuilt here');
  }, async (error) => {
    if (error instanceof InstanceGoneError) return;
    await m.instanceUpdate(uuid, { vm_state: 'error', task_state: null }, ['rebuilding', 'rebuild_spawning']).catch(() => undefined);
    await m.fault(uuid, error);
    await report('failed');
  });
}

/** The servers evacuated away from this host while it was down: their copies here go; the uuids cleaned. */
export async function destroyEvacuatedInstances(m: InstanceManager, logger: Logger): Promise<string[]> {
  const evacuated = await m.conductor<{ uuid: string; migration_uuid: string }[]>('evacuations_from_host', { host: m.host });
  const cleaned: string[] = [];
  for (const { uuid, migration_uuid } of evacuated) {
    const log = logger.child({ instance: uuid, migration: migration_uuid });
    try {
      const outcome = await m.driver.destroy(uuid);
      await m.files.remove(uuid); // disk, record, saved state, console log: all of this host's copy
      m.events.forget(uuid);
      await m.conductor('evacuation_cleaned', { uuid, migration_uuid, host: m.host });
      log.warn({ outcome }, 'destroyed the local copy of a server evacuated while this host was down');
      cleaned.push(uuid);
    } catch (err) {
      // The next start tries again; the copy never runs meanwhile (the server is not this host's).
      log.error({ err }, 'could not clean up an evacuated server');
    }
  }
  return cleaned;
}

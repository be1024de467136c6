// nova-conductor's database side for agents (nova/conductor/manager.py): agents never open the
// database, they call these over the bus. Served for now by the compute API process:
// serveConductor(bus, deps, host) listens on topic `conductor`.
//   service_update      {host, binary, topic, availability_zone?, report_count?}
//                       → {id, uuid, disabled, disabled_reason, forced_down}
//   compute_node_update {uuid, host, hypervisor_hostname, hypervisor_type 'QEMU', hypervisor_version,
//                        vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used,
//                        running_vms, disk_available_least, cpu_info, host_ip?} → {id, uuid}
//   and the instance methods of instance-protocol.ts (the build flow: build.ts; the agents'
//   reports: instance-handlers.ts).
// Arguments are parsed (protocol.ts, instance-protocol.ts) before anything touches the database;
// malformed ones are refused with the parser's error, which the caller receives as a RemoteError.
import type { Bus, Handlers, Server } from '../../bus/index.js';
import type { Kysely } from 'kysely';
import type { PlacementClient } from '../../core/clients/placement-client.js';
import type { ComputeConfig } from '../config.js';
import type { ComputeDb } from '../db/schema.js';
import { recordComputeNode, recordServiceHeartbeat } from '../domain/services.js';
import { failInstance, NO_VALID_HOST, SCHEDULE_EVENT, scheduleAndBuildInstances, type ConductorDeps } from './build.js';
import {
  actionEventFinish, actionEventStart, buildFailed, faultCreate, infoCacheUpdate, instanceDestroyed, instancesOnHost, instanceUpdate,
} from './instance-handlers.js';
import {
  parseActionEventFinish, parseActionEventStart, parseBuildFailed, parseFaultCreate, parseInfoCacheUpdate, parseInstanceDestroyed,
  parseInstancesOnHost, parseInstanceUpdate, parseScheduleAndBuild,
} from './instance-protocol.js';
import {
  CONDUCTOR_TOPIC, parseComputeNodeUpdate, parseServiceUpdate, type ComputeNodeUpdateResult, type ServiceUpdateResult,
} from './protocol.js';

export type { ConductorDeps } from './build.js';

export function conductorHandlers(deps: ConductorDeps): Handlers {
  return {
    service_update: async (args): Promise<ServiceUpdateResult> => {
      const row = await recordServiceHeartbeat(deps.db, parseServiceUpdate(args));
      return { id: row.id, uuid: row.uuid, disabled: row.disabled === 1, disabled_reason: row.disabled_reason, forced_down: row.forced_down === 1 };
    },
    compute_node_update: async (args): Promise<ComputeNodeUpdateResult> => {
      const row = await recordComputeNode(deps.db, parseComputeNodeUpdate(args));
      return { id: row.id, uuid: row.uuid };
    },
    schedule_and_build_instances: async (args) => {
      const parsed = parseScheduleAndBuild(args);
      try {
        await scheduleAndBuildInstances(deps, parsed);
      } catch (err) {
        // A cast has nobody to answer: instances still waiting for a host must not stay in scheduling.
        const stuck = await deps.db.selectFrom('nova_instance').select('uuid').where('uuid', 'in', [...parsed.instance_uuids])
          .where('deleted', '=', 0).where('task_state', '=', 'scheduling').execute();
        for (const s of stuck) {
          await failInstance(deps.db, s.uuid, parsed.request_id, { code: 500, message: NO_VALID_HOST, details: String((err as Error).message ?? err), host: null }, SCHEDULE_EVENT);
        }
        throw err;
      }
    },
    instance_update: (args) => instanceUpdate(deps, parseInstanceUpdate(args)),
    instance_info_cache_update: (args) => infoCacheUpdate(deps, parseInfoCacheUpdate(args)),
    instance_fault_create: (args) => faultCreate(deps, parseFaultCreate(args)),
    action_event_start: (args) => actionEventStart(deps, parseActionEventStart(args)),
    action_event_finish: (args) => actionEventFinish(deps, parseActionEventFinish(args)),
    build_failed: (args) => buildFailed(deps, parseBuildFailed(args)),
    instance_destroyed: (args) => instanceDestroyed(deps, parseInstanceDestroyed(args)),
    instances_on_host: (args) => instancesOnHost(deps, parseInstancesOnHost(args).host),
  };
}

/** What serveConductor takes: ConductorDeps, or the compute API's deps (ComputeDeps), whose clients hold Placement. */
export type ConductorSource =
  | Omit<ConductorDeps, 'bus'>
  | { readonly db: Kysely<ComputeDb>; readonly compute: ComputeConfig; readonly clients: { readonly placement: PlacementClient } };

/** Serves the conductor's RPC for this process on `bus`. */
export function serveConductor(bus: Bus, source: ConductorSource, host: string): Promise<Server> {
  const placement = 'placement' in source ? source.placement : source.clients.placement;
  return bus.serve(CONDUCTOR_TOPIC, host, conductorHandlers({ db: source.db, compute: source.compute, placement, bus }));
}

// nova-conductor's database side for agents (nova/conductor/manager.py): agents never open the
// database, they call these over the bus. Served for now by the compute API process:
// serveConductor(bus, deps, host) listens on topic `conductor`.
//   service_update      {host, binary, topic, availability_zone?, report_count?}
//                       → {id, uuid, disabled, disabled_reason, forced_down}
//   compute_node_update {uuid, host, hypervisor_hostname, hypervisor_type 'QEMU', hypervisor_version,
//                        vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used,
//                        running_vms, disk_available_least, cpu_info, host_ip?} → {id, uuid}
// Arguments are parsed (protocol.ts) before anything touches the database; malformed ones are
// refused with the parser's error, which the caller receives as a RemoteError.
import type { Bus, Handlers, Server } from '../../bus/index.js';
import type { Kysely } from 'kysely';
import type { ComputeDb } from '../db/schema.js';
import { recordComputeNode, recordServiceHeartbeat } from '../domain/services.js';
import {
  CONDUCTOR_TOPIC, parseComputeNodeUpdate, parseServiceUpdate, type ComputeNodeUpdateResult, type ServiceUpdateResult,
} from './protocol.js';

export interface ConductorDeps {
  readonly db: Kysely<ComputeDb>;
}

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
  };
}

/** Serves the conductor's RPC for this process (the compute API's deps satisfy ConductorDeps). */
export function serveConductor(bus: Bus, deps: ConductorDeps, host: string): Promise<Server> {
  return bus.serve(CONDUCTOR_TOPIC, host, conductorHandlers(deps));
}

// The conductor's instance methods (topic `conductor`), beside service_update and
// compute_node_update (protocol.ts). Callers: the compute API (build) and compute agents (state
// reports). As everywhere on the bus, the conductor parses every argument before the database is
// touched (parse* functions below, written with the build flow).
//
// From the API:
//   cast schedule_and_build_instances {instance_uuids: string[], request_id}
//        The instances exist (vm_state building, task_state scheduling) with a request spec row.
//        The conductor asks Placement for candidates, filters and weighs hosts, claims, records
//        host/node/compute_node_uuid, task_state spawning, and casts build_and_run_instance to
//        the host with the remaining alternates kept in the request spec for reschedules.
//        No host: vm_state error + fault NoValidHost, allocations none.
// From agents:
//   call instance_update  {uuid, host, updates: InstanceUpdates, expected_task_state?: (string|null)[]}
//        → {updated: boolean, vm_state, task_state, deleted: boolean}
//        Applies only while the instance is on `host` (and, if given, its task_state is one of
//        expected_task_state): an agent never overwrites a server that moved or was deleted.
//   call instance_info_cache_update {uuid, network_info: VifInfo[]} → {}
//   call instance_fault_create {uuid, host, code, message, details} → {}
//   call action_event_start  {uuid, request_id, event, host} → {}
//   call action_event_finish {uuid, request_id, event, host, result: 'Success' | 'Error', traceback?} → {}
//   call build_failed {uuid, host, request_id, reason, reschedule: boolean} → {rescheduled: boolean}
//        The agent cleaned up after itself. The conductor drops the allocation; with reschedule
//        and an alternate left, it claims on the alternate and casts there (attempt + 1); else
//        vm_state error, fault (NoValidHost "Exceeded maximum number of retries. …" or the reason).
//   call instance_destroyed {uuid, host, request_id} → {}
//        After terminate: deletes the allocation, soft-deletes the row (deleted 1, vm_state
//        deleted, terminated_at), finishes the `delete` action.
//   call instances_on_host {host} → InstanceOnHost[]    (power sync and re-adoption after restart)
import type { VifInfo } from '../rpc/compute-protocol.js';

export interface InstanceUpdates {
  readonly vm_state?: string;
  readonly task_state?: string | null;
  readonly power_state?: number;
  readonly launched_at?: string;
  readonly terminated_at?: string;
  readonly progress?: number;
  readonly root_device_name?: string;
}

export interface InstanceUpdateResult {
  readonly updated: boolean;
  readonly vm_state: string | null;
  readonly task_state: string | null;
  readonly deleted: boolean;
}

export interface InstanceOnHost {
  readonly uuid: string;
  readonly vm_state: string;
  readonly task_state: string | null;
  readonly power_state: number;
  readonly network_info: readonly VifInfo[];
}

/** nova.compute.power_state */
export const POWER_STATE = { NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 } as const;

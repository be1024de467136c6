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
import { ConductorArgumentError } from './protocol.js';
import { DASHED_UUID } from '../../core/ids.js';

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
  /** The newest instance action's request id: the request whose task is in progress (init_host resumes it under it). */
  readonly request_id?: string | null;
}

/** nova.compute.power_state */
export const POWER_STATE = { NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 } as const;

// ---- argument parsers: every method's arguments are checked here before the database ----------
export interface ScheduleAndBuild { readonly instance_uuids: readonly string[]; readonly request_id: string }
export interface InstanceUpdate {
  readonly uuid: string;
  readonly host: string;
  readonly updates: InstanceUpdates;
  /** Apply only while task_state is one of these (null included as a value). */
  readonly expected_task_state?: readonly (string | null)[];
}
export interface InfoCacheUpdate { readonly uuid: string; readonly network_info: readonly VifInfo[] }
export interface FaultCreate { readonly uuid: string; readonly host: string; readonly code: number; readonly message: string; readonly details: string }
export interface ActionEventStart { readonly uuid: string; readonly request_id: string; readonly event: string; readonly host: string }
export interface ActionEventFinish extends ActionEventStart { readonly result: 'Success' | 'Error'; readonly traceback?: string }
export interface BuildFailed { readonly uuid: string; readonly host: string; readonly request_id: string; readonly reason: string; readonly reschedule: boolean }
export interface InstanceDestroyed { readonly uuid: string; readonly host: string; readonly request_id: string }

const HOST_RE = /^[A-Za-z0-9][\w.:@-]{0,254}$/;
/** oslo request ids (req-<uuid>), or anything printable and short. */
const REQUEST_ID_RE = /^[\w.:-]{1,255}$/;
const EVENT_RE = /^[a-z][a-z0-9_]{0,254}$/;
const VM_STATES = ['building', 'active', 'stopped', 'paused', 'suspended', 'shelved', 'shelved_offloaded', 'rescued', 'resized', 'soft-delete', 'deleted', 'error'];
/** nova.compute.task_states, all of them: an agent reporting any of these must get through. */
export const TASK_STATES: readonly string[] = [
  'scheduling', 'block_device_mapping', 'networking', 'spawning',
  'image_snapshot', 'image_snapshot_pending', 'image_pending_upload', 'image_uploading', 'image_backup', 'updating_password',
  'resize_prep', 'resize_migrating', 'resize_migrated', 'resize_finish', 'resize_reverting', 'resize_confirming',
  'rebooting', 'reboot_pending', 'reboot_started', 'rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard',
  'pausing', 'unpausing', 'suspending', 'resuming', 'powering-off', 'powering-on', 'rescuing', 'unrescuing',
  'rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning', 'migrating', 'deleting', 'soft-deleting', 'restoring',
  'shelving', 'shelving_image_pending_upload', 'shelving_image_uploading', 'shelving_offloading', 'unshelving',
];
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function argsOf(method: string, raw: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConductorArgumentError(method, 'arguments must be an object');
  const args = raw as Record<string, unknown>;
  const extra = Object.keys(args).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new ConductorArgumentError(method, `unexpected argument ${extra.slice(0, 64)}`);
  return args;
}

function matching(method: string, args: Record<string, unknown>, key: string, re: RegExp, what: string): string {
  const v = args[key];
  if (typeof v !== 'string' || !re.test(v)) throw new ConductorArgumentError(method, `${key} must be ${what}`);
  return v;
}

export const uuidArg = (m: string, a: Record<string, unknown>, k = 'uuid'): string => matching(m, a, k, DASHED_UUID, 'a lower-case UUID');
export const hostArg = (m: string, a: Record<string, unknown>): string => matching(m, a, 'host', HOST_RE, 'a host-style name');
export const requestIdArg = (m: string, a: Record<string, unknown>): string => matching(m, a, 'request_id', REQUEST_ID_RE, 'a request id');

/** Free text (messages, tracebacks): refused only when absurd, otherwise cut to `keep` as Nova's columns do. */
export function text(method: string, args: Record<string, unknown>, key: string, keep: number, optional = false): string | undefined {
  const v = args[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.length > 1_048_576) throw new ConductorArgumentError(method, `${key} must be a string of at most 1 MiB`);
  return v.slice(0, keep);
}

export function parseScheduleAndBuild(raw: unknown): ScheduleAndBuild {
  const m = 'schedule_and_build_instances';
  const args = argsOf(m, raw, ['instance_uuids', 'request_id']);
  const uuids = args.instance_uuids;
  if (!Array.isArray(uuids) || uuids.length === 0 || uuids.length > 1000 || !uuids.every((u) => typeof u === 'string' && DASHED_UUID.test(u))) {
    throw new ConductorArgumentError(m, 'instance_uuids must be 1 to 1000 lower-case UUIDs');
  }
  return { instance_uuids: [...new Set(uuids as string[])], request_id: requestIdArg(m, args) };
}

function parseUpdates(m: string, raw: unknown): InstanceUpdates {
  const u = argsOf(m, raw, ['vm_state', 'task_state', 'power_state', 'launched_at', 'terminated_at', 'progress', 'root_device_name']);
  const out: Record<string, unknown> = {};
  if (u.vm_state !== undefined) {
    if (typeof u.vm_state !== 'string' || !VM_STATES.includes(u.vm_state)) throw new ConductorArgumentError(m, 'updates.vm_state must be a vm state');
    out.vm_state = u.vm_state;
  }
  if (u.task_state !== undefined) {
    if (u.task_state !== null && (typeof u.task_state !== 'string' || !TASK_STATES.includes(u.task_state))) throw new ConductorArgumentError(m, 'updates.task_state must be a task state or null');
    out.task_state = u.task_state;
  }
  if (u.power_state !== undefined) {
    if (!Object.values(POWER_STATE).includes(u.power_state as 0)) throw new ConductorArgumentError(m, 'updates.power_state must be a power state');
    out.power_state = u.power_state;
  }
  for (const k of ['launched_at', 'terminated_at'] as const) {
    if (u[k] === undefined) continue;
    if (typeof u[k] !== 'string' || !ISO_RE.test(u[k] as string)) throw new ConductorArgumentError(m, `updates.${k} must be an ISO 8601 UTC time`);
    out[k] = (u[k] as string).replace(/\.\d+Z$/, 'Z'); // stored as Nova shows times: whole seconds
  }
  if (u.progress !== undefined) {
    if (typeof u.progress !== 'number' || !Number.isInteger(u.progress) || u.progress < 0 || u.progress > 100) throw new ConductorArgumentError(m, 'updates.progress must be 0 to 100');
    out.progress = u.progress;
  }
  if (u.root_device_name !== undefined) {
    if (typeof u.root_device_name !== 'string' || !/^\/dev\/[a-z0-9]{1,32}$/.test(u.root_device_name)) throw new ConductorArgumentError(m, 'updates.root_device_name must be a /dev/ name');
    out.root_device_name = u.root_device_name;
  }
  if (Object.keys(out).length === 0) throw new ConductorArgumentError(m, 'updates must change something');
  return out as InstanceUpdates;
}

export function parseInstanceUpdate(raw: unknown): InstanceUpdate {
  const m = 'instance_update';
  const args = argsOf(m, raw, ['uuid', 'host', 'updates', 'expected_task_state']);
  const expected = args.expected_task_state;
  if (expected !== undefined && (!Array.isArray(expected) || expected.length === 0
    || !expected.every((s) => s === null || (typeof s === 'string' && TASK_STATES.includes(s))))) {
    throw new ConductorArgumentError(m, 'expected_task_state must be a list of task states (or null)');
  }
  return {
    uuid: uuidArg(m, args), host: hostArg(m, args), updates: parseUpdates(m, args.updates),
    ...(expected !== undefined ? { expected_task_state: expected as (string | null)[] } : {}),
  };
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function parseVif(m: string, raw: unknown): VifInfo {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConductorArgumentError(m, 'network_info entries must be objects');
  const v = raw as Record<string, unknown>;
  const net = v.network as Record<string, unknown> | undefined;
  if (typeof v.id !== 'string' || !DASHED_UUID.test(v.id) || typeof v.address !== 'string' || !MAC_RE.test(v.address)
    || typeof net !== 'object' || net === null || typeof net.id !== 'string' || typeof net.label !== 'string' || !Array.isArray(net.subnets)) {
    throw new ConductorArgumentError(m, 'network_info entries must be VIFs {id, address, network: {id, label, subnets}}');
  }
  return raw as VifInfo;
}

export function parseInfoCacheUpdate(raw: unknown): InfoCacheUpdate {
  const m = 'instance_info_cache_update';
  const args = argsOf(m, raw, ['uuid', 'network_info']);
  const info = args.network_info;
  if (!Array.isArray(info) || info.length > 64) throw new ConductorArgumentError(m, 'network_info must be a list of at most 64 VIFs');
  if (JSON.stringify(info).length > 262144) throw new ConductorArgumentError(m, 'network_info is too large');
  return { uuid: uuidArg(m, args), network_info: info.map((v) => parseVif(m, v)) };
}

export function parseFaultCreate(raw: unknown): FaultCreate {
  const m = 'instance_fault_create';
  const args = argsOf(m, raw, ['uuid', 'host', 'code', 'message', 'details']);
  const code = args.code;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 599) throw new ConductorArgumentError(m, 'code must be an HTTP status');
  return {
    uuid: uuidArg(m, args), host: hostArg(m, args), code,
    // Nova truncates the message to 255 characters (the column); details are a traceback.
    message: text(m, args, 'message', 255)!, details: text(m, args, 'details', 65535)!,
  };
}

export function parseActionEventStart(raw: unknown): ActionEventStart {
  const m = 'action_event_start';
  const args = argsOf(m, raw, ['uuid', 'request_id', 'event', 'host']);
  return { uuid: uuidArg(m, args), request_id: requestIdArg(m, args), event: matching(m, args, 'event', EVENT_RE, 'an event name'), host: hostArg(m, args) };
}

export function parseActionEventFinish(raw: unknown): ActionEventFinish {
  const m = 'action_event_finish';
  const args = argsOf(m, raw, ['uuid', 'request_id', 'event', 'host', 'result', 'traceback']);
  if (args.result !== 'Success' && args.result !== 'Error') throw new ConductorArgumentError(m, "result must be 'Success' or 'Error'");
  const traceback = text(m, args, 'traceback', 65535, true);
  return {
    uuid: uuidArg(m, args), request_id: requestIdArg(m, args), event: matching(m, args, 'event', EVENT_RE, 'an event name'), host: hostArg(m, args),
    result: args.result, ...(traceback !== undefined ? { traceback } : {}),
  };
}

export function parseBuildFailed(raw: unknown): BuildFailed {
  const m = 'build_failed';
  const args = argsOf(m, raw, ['uuid', 'host', 'request_id', 'reason', 'reschedule']);
  if (typeof args.reschedule !== 'boolean') throw new ConductorArgumentError(m, 'reschedule must be a boolean');
  return {
    uuid: uuidArg(m, args), host: hostArg(m, args), request_id: requestIdArg(m, args),
    reason: text(m, args, 'reason', 255)!, reschedule: args.reschedule,
  };
}

export function parseInstanceDestroyed(raw: unknown): InstanceDestroyed {
  const m = 'instance_destroyed';
  const args = argsOf(m, raw, ['uuid', 'host', 'request_id']);
  return { uuid: uuidArg(m, args), host: hostArg(m, args), request_id: requestIdArg(m, args) };
}

/** instances_on_host and evacuations_from_host {host}. */
export function parseInstancesOnHost(raw: unknown, m = 'instances_on_host'): { host: string } {
  return { host: hostArg(m, argsOf(m, raw, ['host'])) };
}

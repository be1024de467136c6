// The compute agent's RPC server (topic `compute`, server = host; protocol in
// src/compute/rpc/compute-protocol.ts). The bus is a trust boundary: every argument is parsed
// here before the manager sees it, and anything malformed is refused with an error naming the
// field (the caller of a call gets it as a RemoteError; a bad cast is only logged).
// Casts hand their work to the manager and return at once, as Nova acknowledges casts on
// receipt: a build waits minutes for its ports, and events for it must still get through.
import type { Bus, BusArgs, Handlers, Server } from '../../bus/index.js';
import type { ConsoleConnectInfo, ConsoleConnectRequest, FlavorSnapshot, ServerDiagnostics, InstanceBuild, InstanceEvent, RequestedNetwork } from '../rpc/compute-protocol.js';
import { COMPUTE_RPC_TOPIC, CONSOLE_TYPES, MAX_ADMIN_PASSWORD } from '../rpc/compute-protocol.js';
import { DASHED_UUID as UUID } from '../../core/ids.js';
import type { GuestHardware } from './guest-hardware.js';
import type { InstanceRecord } from './instance-files.js';
import type { FinishResizeRequest, FinishRevertRequest, MoveRequest, ResizeInstanceRequest } from './move-ops.js';
import type { RebuildEvacuatedRequest } from './evacuate-ops.js';
import type { LiveMigrationRequest, PostLiveMigrationRequest, PreLiveMigrationRequest } from './live-migration-ops.js';
import type { IncomingEndpoint } from './qemu-live-migration.js';
import type { ShelveRequest, UnshelveRequest } from './shelve-ops.js';
import type { InstancePort } from './vifs.js';

export class ComputeArgumentError extends Error {
  constructor(method: string, message: string) {
    super(`${method}: ${message}`);
    this.name = 'ComputeArgumentError';
  }
}

export type RebootType = 'SOFT' | 'HARD';
export interface InstanceRequest { readonly uuid: string; readonly request_id: string }
export interface RebootRequest extends InstanceRequest { readonly reboot_type: RebootType }
export interface ConsoleRequest { readonly uuid: string; readonly length?: number }

/** What the RPC server drives (InstanceManager implements it). */
export interface ComputeRpcTarget {
  buildAndRunInstance(build: InstanceBuild): Promise<void>;
  stopInstance(request: InstanceRequest): Promise<void>;
  startInstance(request: InstanceRequest): Promise<void>;
  rebootInstance(request: RebootRequest): Promise<void>;
  rebuildInstance(request: RebuildRequest): Promise<void>;
  snapshotInstance(request: SnapshotRequest): Promise<void>;
  triggerCrashDump(request: InstanceRequest): Promise<void>;
  pauseInstance(request: InstanceRequest): Promise<void>;
  unpauseInstance(request: InstanceRequest): Promise<void>;
  suspendInstance(request: InstanceRequest): Promise<void>;
  resumeInstance(request: InstanceRequest): Promise<void>;
  rescueInstance(request: RescueRequest): Promise<void>;
  unrescueInstance(request: InstanceRequest): Promise<void>;
  /** Resolves with the attached port's id once it is plugged (a call: the API answers with the port). */
  attachInterface(request: AttachInterfaceRequest): Promise<string>;
  detachInterface(request: DetachInterfaceRequest): Promise<void>;
  /** Resolves once the guest agent set the password; rejects with a named error otherwise. */
  setAdminPassword(request: SetAdminPasswordRequest): Promise<void>;
  terminateInstance(request: InstanceRequest): Promise<void>;
  resizeInstance(request: ResizeInstanceRequest): Promise<void>;
  finishResize(request: FinishResizeRequest): Promise<void>;
  confirmResize(request: MoveRequest): Promise<void>;
  revertResize(request: MoveRequest): Promise<void>;
  finishRevertResize(request: FinishRevertRequest): Promise<void>;
  liveMigration(request: LiveMigrationRequest): Promise<void>;
  preLiveMigration(request: PreLiveMigrationRequest): Promise<IncomingEndpoint>;
  postLiveMigration(request: PostLiveMigrationRequest): Promise<void>;
  rollbackLiveMigration(request: MoveRequest): Promise<void>;
  shelveInstance(request: ShelveRequest): Promise<void>;
  shelveOffloadInstance(request: InstanceRequest): Promise<void>;
  unshelveInstance(request: UnshelveRequest): Promise<void>;
  rebuildEvacuatedInstance(request: RebuildEvacuatedRequest): Promise<void>;
  getConsoleOutput(request: ConsoleRequest): Promise<string>;
  getConsoleConnectInfo(request: ConsoleConnectRequest): Promise<ConsoleConnectInfo>;
  getDiagnostics(request: { readonly uuid: string }): Promise<ServerDiagnostics>;
  getHostUptime(): Promise<string>;
  externalInstanceEvents(events: readonly InstanceEvent[]): void;
}

/** Nova's request ids: req-<uuid>; other printable short ids are tolerated. */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$/;
const MAX_INT = 2147483647;
/** No control characters (they would end up in logs, file names, config drives). */
const PRINTABLE = /^[^\p{Cc}]*$/u;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;
/** Nova's user_data limit is 65535 bytes of base64. */
const MAX_USER_DATA = 65535;

type Obj = Record<string, unknown>;

function object(method: string, what: string, value: unknown): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ComputeArgumentError(method, `${what} must be an object`);
  return value as Obj;
}

function only(method: string, what: string, args: Obj, allowed: readonly string[]): void {
  const extra = Object.keys(args).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new ComputeArgumentError(method, `unexpected ${what === 'arguments' ? 'argument' : `${what} field`} ${extra.slice(0, 64)}`);
}

function uuid(method: string, what: string, value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new ComputeArgumentError(method, `${what} must be a lower-case UUID`);
  return value;
}

function text(method: string, what: string, value: unknown, max: number, options: { empty?: boolean; multiline?: boolean } = {}): string {
  const printable = typeof value === 'string' && PRINTABLE.test(options.multiline ? value.replace(/[\r\n\t]/g, '') : value);
  if (typeof value !== 'string' || value.length > max || !printable || (!options.empty && value.length === 0)) {
    throw new ComputeArgumentError(method, `${what} must be a string of ${options.empty ? 0 : 1}-${max} printable characters`);
  }
  return value;
}

function nullableText(method: string, what: string, value: unknown, max: number): string | null {
  return value === null ? null : text(method, what, value, max, { empty: true });
}

function int(method: string, what: string, value: unknown, min: number, max = MAX_INT): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ComputeArgumentError(method, `${what} must be an integer between ${min} and ${max}`);
  }
  return value;
}

function requestId(method: string, value: unknown): string {
  if (typeof value !== 'string' || !REQUEST_ID.test(value)) throw new ComputeArgumentError(method, 'request_id must be a request id');
  return value;
}

function stringMap(method: string, what: string, value: unknown, maxEntries: number): Record<string, string> {
  const map = object(method, what, value);
  const entries = Object.entries(map);
  if (entries.length > maxEntries) throw new ComputeArgumentError(method, `${what} has more than ${maxEntries} entries`);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) out[text(method, `${what} key`, k, 255)] = text(method, `${what}.${k.slice(0, 64)}`, v, 255, { empty: true });
  return out;
}

function parseFlavor(method: string, value: unknown): FlavorSnapshot {
  const f = object(method, 'build.flavor', value);
  only(method, 'build.flavor', f, ['id', 'flavorid', 'name', 'memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb', 'swap', 'rxtx_factor', 'description', 'extra_specs']);
  const rxtx = f.rxtx_factor;
  if (typeof rxtx !== 'number' || !Number.isFinite(rxtx) || rxtx <= 0) throw new ComputeArgumentError(method, 'build.flavor.rxtx_factor must be a positive number');
  return {
    id: int(method, 'build.flavor.id', f.id, 0),
    flavorid: text(method, 'build.flavor.flavorid', f.flavorid, 255),
    name: text(method, 'build.flavor.name', f.name, 255),
    // QEMU needs 16 MiB at least; Nova's minimum is 1.
    memory_mb: int(method, 'build.flavor.memory_mb', f.memory_mb, 16),
    vcpus: int(method, 'build.flavor.vcpus', f.vcpus, 1, 255),
    root_gb: int(method, 'build.flavor.root_gb', f.root_gb, 0),
    ephemeral_gb: int(method, 'build.flavor.ephemeral_gb', f.ephemeral_gb, 0),
    swap: int(method, 'build.flavor.swap', f.swap, 0),
    rxtx_factor: rxtx,
    description: f.description === undefined ? null : nullableText(method, 'build.flavor.description', f.description, 65535),
    extra_specs: f.extra_specs === undefined ? {} : stringMap(method, 'build.flavor.extra_specs', f.extra_specs, 1000),
  };
}

function parseRequestedNetwork(method: string, value: unknown, what: string): RequestedNetwork {
  const n = object(method, what, value);
  const tag = n.tag === undefined ? {} : { tag: text(method, `${what}.tag`, n.tag, 60) };
  if (n.port_id !== undefined) {
    only(method, what, n, ['port_id', 'tag']);
    return { port_id: uuid(method, `${what}.port_id`, n.port_id), ...tag };
  }
  only(method, what, n, ['network_id', 'fixed_ip', 'tag']);
  const ip = n.fixed_ip;
  if (ip !== undefined && (typeof ip !== 'string' || !(IPV4.test(ip) || (ip.includes(':') && IPV6.test(ip))))) {
    throw new ComputeArgumentError(method, `${what}.fixed_ip must be an IP address`);
  }
  return { network_id: uuid(method, `${what}.network_id`, n.network_id), ...(typeof ip === 'string' ? { fixed_ip: ip } : {}), ...tag };
}

function hostnameArg(method: string, what: string, value: unknown): string {
  const hostname = text(method, what, value, 63);
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(hostname)) throw new ComputeArgumentError(method, `${what} must be a host name label`);
  return hostname;
}

function userDataArg(method: string, what: string, value: unknown): string | null {
  if (value !== null && (typeof value !== 'string' || value.length > MAX_USER_DATA || !BASE64.test(value))) {
    throw new ComputeArgumentError(method, `${what} must be null or base64 of at most ${MAX_USER_DATA} characters`);
  }
  return value as string | null;
}

function keyNameArg(method: string, what: string, value: unknown): string | null {
  return value === null ? null : text(method, what, value, 255);
}

/** Key pairs' public keys are files' contents: x509 certificates and trailing newlines included. */
function keyDataArg(method: string, what: string, value: unknown): string | null {
  return value === null ? null : text(method, what, value, 65535, { multiline: true });
}

/** Nova takes any string as adminPass, '' included; control characters could not reach a config drive or a guest. */
function adminPasswordArg(method: string, what: string, value: unknown): string | null {
  return value === null ? null : text(method, what, value, MAX_ADMIN_PASSWORD, { empty: true });
}

const BUILD_FIELDS = [
  'uuid', 'project_id', 'user_id', 'display_name', 'hostname', 'flavor', 'image_id', 'key_name', 'key_data', 'user_data',
  'config_drive', 'metadata', 'requested_networks', 'security_groups', 'availability_zone', 'launch_index', 'node_uuid',
  'attempt', 'request_id', 'admin_password',
];

/** An InstanceBuild (build_and_run_instance's build, finish_resize's record.build). */
function parseBuild(m: string, value: unknown): InstanceBuild {
  const b = object(m, 'build', value);
  only(m, 'build', b, BUILD_FIELDS);
  if (typeof b.config_drive !== 'boolean') throw new ComputeArgumentError(m, 'build.config_drive must be a boolean');
  if (!Array.isArray(b.requested_networks) || b.requested_networks.length > 64) throw new ComputeArgumentError(m, 'build.requested_networks must be an array of at most 64 networks');
  if (!Array.isArray(b.security_groups) || b.security_groups.length > 64) throw new ComputeArgumentError(m, 'build.security_groups must be an array of at most 64 names');
  const zone = b.availability_zone;
  const build: InstanceBuild = {
    uuid: uuid(m, 'build.uuid', b.uuid),
    project_id: text(m, 'build.project_id', b.project_id, 255),
    user_id: text(m, 'build.user_id', b.user_id, 255),
    display_name: text(m, 'build.display_name', b.display_name, 255, { empty: true }),
    hostname: hostnameArg(m, 'build.hostname', b.hostname),
    flavor: parseFlavor(m, b.flavor),
    image_id: uuid(m, 'build.image_id', b.image_id),
    key_name: keyNameArg(m, 'build.key_name', b.key_name),
    key_data: keyDataArg(m, 'build.key_data', b.key_data),
    user_data: userDataArg(m, 'build.user_data', b.user_data),
    config_drive: b.config_drive,
    metadata: stringMap(m, 'build.metadata', b.metadata, 128),
    requested_networks: (b.requested_networks as unknown[]).map((n, i) => parseRequestedNetwork(m, n, `build.requested_networks[${i}]`)),
    security_groups: (b.security_groups as unknown[]).map((s, i) => text(m, `build.security_groups[${i}]`, s, 255)),
    availability_zone: zone === null ? null : text(m, 'build.availability_zone', zone, 255),
    launch_index: int(m, 'build.launch_index', b.launch_index, 0),
    node_uuid: uuid(m, 'build.node_uuid', b.node_uuid),
    attempt: int(m, 'build.attempt', b.attempt, 1, 1000),
    request_id: requestId(m, b.request_id),
    admin_password: adminPasswordArg(m, 'build.admin_password', b.admin_password),
  };
  const ports = build.requested_networks.flatMap((n) => ('port_id' in n ? [n.port_id] : []));
  if (new Set(ports).size !== ports.length) throw new ComputeArgumentError(m, 'build.requested_networks names a port twice');
  return build;
}

/** build_and_run_instance {build}. */
export function parseBuildAndRunInstance(raw: BusArgs | unknown): { build: InstanceBuild } {
  const m = 'build_and_run_instance';
  const args = object(m, 'arguments', raw);
  only(m, 'arguments', args, ['build']);
  return { build: parseBuild(m, args.build) };
}

/** stop_instance, start_instance, pause/unpause/suspend/resume_instance, unrescue_instance, terminate_instance {uuid, request_id}. */
export function parseInstanceRequest(method: string, raw: BusArgs | unknown): InstanceRequest {
  return instanceArgs(method, raw).request;
}

/** A method on one instance: {uuid, request_id} checked, the `more` arguments allowed beside them for the caller to parse. */
function instanceArgs(method: string, raw: unknown, more: readonly string[] = []): { args: Obj; request: InstanceRequest } {
  const args = object(method, 'arguments', raw);
  only(method, 'arguments', args, ['uuid', 'request_id', ...more]);
  return { args, request: { uuid: uuid(method, 'uuid', args.uuid), request_id: requestId(method, args.request_id) } };
}

/** rebuild_instance: what the rebuild changed of the server's build, and whether it stays stopped. */
export interface RebuildRequest extends InstanceRequest {
  readonly changes: Pick<InstanceBuild, 'image_id' | 'display_name' | 'hostname' | 'key_name' | 'key_data' | 'user_data' | 'metadata' | 'admin_password'>;
  readonly stopped: boolean;
}

export function parseRebuildInstance(raw: BusArgs | unknown): RebuildRequest {
  const m = 'rebuild_instance';
  const args = object(m, 'arguments', raw);
  only(m, 'arguments', args, ['uuid', 'request_id', 'image_id', 'display_name', 'hostname', 'key_name', 'key_data', 'user_data', 'metadata', 'admin_password', 'stopped']);
  if (typeof args.stopped !== 'boolean') throw new ComputeArgumentError(m, 'stopped must be a boolean');
  return {
    uuid: uuid(m, 'uuid', args.uuid),
    request_id: requestId(m, args.request_id),
    changes: {
      image_id: uuid(m, 'image_id', args.image_id),
      display_name: text(m, 'display_name', args.display_name, 255, { empty: true }),
      hostname: hostnameArg(m, 'hostname', args.hostname),
      key_name: keyNameArg(m, 'key_name', args.key_name),
      key_data: keyDataArg(m, 'key_data', args.key_data),
      user_data: userDataArg(m, 'user_data', args.user_data),
      metadata: stringMap(m, 'metadata', args.metadata, 128),
      admin_password: adminPasswordArg(m, 'admin_password', args.admin_password),
    },
    stopped: args.stopped,
  };
}

/** snapshot_instance {uuid, request_id, image_id}: the image the API created, to upload into. */
export interface SnapshotRequest extends InstanceRequest {
  readonly image_id: string;
  /** backup_instance: keep this many backups of this type (older ones deleted after the upload). */
  readonly backup?: BackupRotation;
}
export interface BackupRotation { readonly type: string; readonly rotation: number }

export function parseSnapshotInstance(raw: BusArgs | unknown): SnapshotRequest {
  const m = 'snapshot_instance';
  const { args, request } = instanceArgs(m, raw, ['image_id']);
  return { ...request, image_id: uuid(m, 'image_id', args.image_id) };
}

/** backup_instance {uuid, request_id, image_id, backup_type, rotation}. */
export function parseBackupInstance(raw: BusArgs | unknown): SnapshotRequest {
  const m = 'backup_instance';
  const { args, request } = instanceArgs(m, raw, ['image_id', 'backup_type', 'rotation']);
  return {
    ...request, image_id: uuid(m, 'image_id', args.image_id),
    backup: { type: text(m, 'backup_type', args.backup_type, 255, { empty: true }), rotation: int(m, 'rotation', args.rotation, 0) },
  };
}

/** rescue_instance {uuid, request_id, rescue_image_id, admin_password}: the image to boot a rescue disk from. */
export interface RescueRequest extends InstanceRequest { readonly rescue_image_id: string; readonly admin_password: string | null }

export function parseRescueInstance(raw: BusArgs | unknown): RescueRequest {
  const m = 'rescue_instance';
  const { args, request } = instanceArgs(m, raw, ['rescue_image_id', 'admin_password']);
  return { ...request, rescue_image_id: uuid(m, 'rescue_image_id', args.rescue_image_id), admin_password: adminPasswordArg(m, 'admin_password', args.admin_password) };
}

/** attach_interface: a network (a new port, optionally on one fixed IP) or the user's port. */
export interface AttachInterfaceRequest extends InstanceRequest { readonly requested: RequestedNetwork }

export function parseAttachInterface(raw: BusArgs | unknown): AttachInterfaceRequest {
  const m = 'attach_interface';
  const { args: { uuid: _uuid, request_id: _requestId, ...rest }, request } = instanceArgs(m, raw, ['network_id', 'port_id', 'fixed_ip', 'tag']);
  if ((rest.network_id === undefined) === (rest.port_id === undefined)) throw new ComputeArgumentError(m, 'exactly one of network_id and port_id is required');
  return { ...request, requested: parseRequestedNetwork(m, rest, 'interface') };
}

/** detach_interface {uuid, request_id, port_id}. */
export interface DetachInterfaceRequest extends InstanceRequest { readonly port_id: string }

export function parseDetachInterface(raw: BusArgs | unknown): DetachInterfaceRequest {
  const m = 'detach_interface';
  const { args, request } = instanceArgs(m, raw, ['port_id']);
  return { ...request, port_id: uuid(m, 'port_id', args.port_id) };
}

/** set_admin_password {uuid, request_id, password}. */
export interface SetAdminPasswordRequest extends InstanceRequest { readonly password: string }

export function parseSetAdminPassword(raw: BusArgs | unknown): SetAdminPasswordRequest {
  const m = 'set_admin_password';
  const { args, request } = instanceArgs(m, raw, ['password']);
  return { ...request, password: text(m, 'password', args.password, MAX_ADMIN_PASSWORD, { empty: true }) };
}

/** reboot_instance {uuid, request_id, reboot_type}. */
export function parseRebootInstance(raw: BusArgs | unknown): RebootRequest {
  const m = 'reboot_instance';
  const { args, request } = instanceArgs(m, raw, ['reboot_type']);
  if (args.reboot_type !== 'SOFT' && args.reboot_type !== 'HARD') throw new ComputeArgumentError(m, "reboot_type must be 'SOFT' or 'HARD'");
  return { ...request, reboot_type: args.reboot_type };
}

/** get_console_output {uuid, length?}: length null/-1/absent = everything. */
export function parseGetConsoleOutput(raw: BusArgs | unknown): ConsoleRequest {
  const m = 'get_console_output';
  const args = object(m, 'arguments', raw);
  only(m, 'arguments', args, ['uuid', 'length']);
  const id = uuid(m, 'uuid', args.uuid);
  if (args.length === undefined || args.length === null || args.length === -1) return { uuid: id };
  return { uuid: id, length: int(m, 'length', args.length, 0) };
}

// ---- resize and cold migration (move-ops.ts) ---------------------------------------------------

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const TAP = /^tap[0-9a-f-]{11}$/;

function bool(method: string, what: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ComputeArgumentError(method, `${what} must be a boolean`);
  return value;
}

function parsePorts(m: string, value: unknown): InstancePort[] {
  if (!Array.isArray(value) || value.length > 64) throw new ComputeArgumentError(m, 'record.ports must be an array of at most 64 ports');
  return value.map((raw, i) => {
    const what = `record.ports[${i}]`;
    const p = object(m, what, raw);
    only(m, what, p, ['id', 'mac', 'tap', 'mtu', 'created']);
    if (typeof p.mac !== 'string' || !MAC.test(p.mac)) throw new ComputeArgumentError(m, `${what}.mac must be a MAC address`);
    if (typeof p.tap !== 'string' || !TAP.test(p.tap)) throw new ComputeArgumentError(m, `${what}.tap must be a tap device name`);
    return {
      id: uuid(m, `${what}.id`, p.id), mac: p.mac, tap: p.tap,
      mtu: p.mtu === null ? null : int(m, `${what}.mtu`, p.mtu, 68, 65535), created: bool(m, `${what}.created`, p.created),
    };
  });
}

function member<T extends string>(m: string, what: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new ComputeArgumentError(m, `${what} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function parseHardware(m: string, value: unknown): GuestHardware {
  const h = object(m, 'record.hardware', value);
  only(m, 'record.hardware', h, ['machine', 'osType', 'firmware', 'diskBus', 'nicModel', 'video', 'guestAgent']);
  return {
    machine: member(m, 'record.hardware.machine', h.machine, ['pc', 'q35'] as const),
    osType: member(m, 'record.hardware.osType', h.osType, ['linux', 'windows'] as const),
    firmware: member(m, 'record.hardware.firmware', h.firmware, ['bios', 'uefi'] as const),
    diskBus: member(m, 'record.hardware.diskBus', h.diskBus, ['virtio', 'sata', 'ide'] as const),
    nicModel: member(m, 'record.hardware.nicModel', h.nicModel, ['virtio', 'e1000'] as const),
    ...(h.video === undefined ? {} : { video: member(m, 'record.hardware.video', h.video, ['vga', 'virtio', 'cirrus', 'qxl', 'none'] as const) }),
    guestAgent: bool(m, 'record.hardware.guestAgent', h.guestAgent),
  };
}

function parseRecord(m: string, value: unknown): InstanceRecord {
  const r = object(m, 'record', value);
  only(m, 'record', r, ['build', 'ports', 'hardware']);
  return { build: parseBuild(m, r.build), ports: parsePorts(m, r.ports), ...(r.hardware === undefined ? {} : { hardware: parseHardware(m, r.hardware) }) };
}

function moveArgs(m: string, raw: unknown, more: readonly string[]): { args: Obj; request: MoveRequest } {
  const { args, request } = instanceArgs(m, raw, ['migration_uuid', ...more]);
  return { args, request: { ...request, migration_uuid: uuid(m, 'migration_uuid', args.migration_uuid) } };
}

/** resize_instance {uuid, request_id, migration_uuid, dest_host, flavor, power_on}. */
export function parseResizeInstance(raw: BusArgs | unknown): ResizeInstanceRequest {
  const m = 'resize_instance';
  const { args, request } = moveArgs(m, raw, ['dest_host', 'flavor', 'power_on']);
  return { ...request, dest_host: hostName(m, 'dest_host', args.dest_host), flavor: parseFlavor(m, args.flavor), power_on: bool(m, 'power_on', args.power_on) };
}

/** finish_resize {uuid, request_id, migration_uuid, record, disk_uri, power_on}. */
export function parseFinishResize(raw: BusArgs | unknown): FinishResizeRequest {
  const m = 'finish_resize';
  const { args, request } = moveArgs(m, raw, ['record', 'disk_uri', 'power_on']);
  const record = recordOf(m, request, args.record);
  const uri = text(m, 'disk_uri', args.disk_uri, 255);
  if (!/^nbd:\/\/[0-9A-Za-z.:[\]]+:\d+\/[a-z]+$/.test(uri)) throw new ComputeArgumentError(m, 'disk_uri must be an nbd:// URI');
  return { ...request, record, disk_uri: uri, power_on: bool(m, 'power_on', args.power_on) };
}

/** A move's record: the server's build and ports, for this very server. */
function recordOf(m: string, request: MoveRequest, value: unknown): InstanceRecord {
  const record = parseRecord(m, value);
  if (record.build.uuid !== request.uuid) throw new ComputeArgumentError(m, 'record.build.uuid must be the instance uuid');
  return record;
}

/** rebuild_evacuated_instance {uuid, request_id, migration_uuid, record, power_on}. */
export function parseRebuildEvacuated(raw: BusArgs | unknown): RebuildEvacuatedRequest {
  const m = 'rebuild_evacuated_instance';
  const { args, request } = moveArgs(m, raw, ['record', 'power_on']);
  return { ...request, record: recordOf(m, request, args.record), power_on: bool(m, 'power_on', args.power_on) };
}

/** confirm_resize, revert_resize {uuid, request_id, migration_uuid}. */
export function parseMoveRequest(method: string, raw: BusArgs | unknown): MoveRequest {
  return moveArgs(method, raw, []).request;
}

/** finish_revert_resize {uuid, request_id, migration_uuid, power_on}. */
export function parseFinishRevertResize(raw: BusArgs | unknown): FinishRevertRequest {
  const m = 'finish_revert_resize';
  const { args, request } = moveArgs(m, raw, ['power_on']);
  return { ...request, power_on: bool(m, 'power_on', args.power_on) };
}

function hostName(m: string, what: string, value: unknown): string {
  const host = text(m, what, value, 255);
  if (!/^[A-Za-z0-9][\w.:@-]*$/.test(host)) throw new ComputeArgumentError(m, `${what} must be a host-style name`);
  return host;
}

/** live_migration {uuid, request_id, migration_uuid, dest_host}. */
export function parseLiveMigration(raw: BusArgs | unknown): LiveMigrationRequest {
  const m = 'live_migration';
  const { args, request } = moveArgs(m, raw, ['dest_host']);
  return { ...request, dest_host: hostName(m, 'dest_host', args.dest_host) };
}

/** pre_live_migration {uuid, request_id, migration_uuid, record, disk_size}. */
export function parsePreLiveMigration(raw: BusArgs | unknown): PreLiveMigrationRequest {
  const m = 'pre_live_migration';
  const { args, request } = moveArgs(m, raw, ['record', 'disk_size']);
  const record = recordOf(m, request, args.record);
  const size = args.disk_size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) throw new ComputeArgumentError(m, 'disk_size must be a positive integer');
  return { ...request, record, disk_size: size };
}

/** post_live_migration_at_destination {uuid, request_id, migration_uuid, running}. */
export function parsePostLiveMigration(raw: BusArgs | unknown): PostLiveMigrationRequest {
  const m = 'post_live_migration_at_destination';
  const { args, request } = moveArgs(m, raw, ['running']);
  return { ...request, running: bool(m, 'running', args.running) };
}

/** shelve_instance {uuid, request_id, image_id, offload}. */
export function parseShelveInstance(raw: BusArgs | unknown): ShelveRequest {
  const m = 'shelve_instance';
  const { args, request } = instanceArgs(m, raw, ['image_id', 'offload']);
  return { ...request, image_id: uuid(m, 'image_id', args.image_id), offload: bool(m, 'offload', args.offload) };
}

/** unshelve_instance {uuid, request_id, shelved_image_id, local, build?, ports?}. */
export function parseUnshelveInstance(raw: BusArgs | unknown): UnshelveRequest {
  const m = 'unshelve_instance';
  const { args, request } = instanceArgs(m, raw, ['shelved_image_id', 'local', 'build', 'ports']);
  const local = bool(m, 'local', args.local);
  const shelved = args.shelved_image_id === null ? null : uuid(m, 'shelved_image_id', args.shelved_image_id);
  if (local) return { ...request, shelved_image_id: shelved, local };
  const build = parseBuild(m, args.build);
  if (build.uuid !== request.uuid) throw new ComputeArgumentError(m, 'build.uuid must be the instance uuid');
  return { ...request, shelved_image_id: shelved, local, build, ports: parsePorts(m, args.ports) };
}

/** get_console_connect_info {uuid, console_type}. */
export function parseGetConsoleConnectInfo(raw: BusArgs | unknown): ConsoleConnectRequest {
  const m = 'get_console_connect_info';
  const args = object(m, 'arguments', raw);
  only(m, 'arguments', args, ['uuid', 'console_type']);
  const type = CONSOLE_TYPES.find((t) => t === args.console_type);
  if (type === undefined) throw new ComputeArgumentError(m, `console_type must be one of ${CONSOLE_TYPES.join(', ')}`);
  return { uuid: uuid(m, 'uuid', args.uuid), console_type: type };
}

/** get_diagnostics {uuid}. */
export function parseGetDiagnostics(raw: BusArgs | unknown): { uuid: string } {
  const m = 'get_diagnostics';
  const args = object(m, 'arguments', raw);
  only(m, 'arguments', args, ['uuid']);
  return { uuid: uuid(m, 'uuid', args.uuid) };
}

/** get_host_uptime {} (no arguments). */
export function parseGetHostUptime(raw: BusArgs | unknown): Record<string, never> {
  only('get_host_uptime', 'arguments', object('get_host_uptime', 'arguments', raw ?? {}), []);
  return {};
}

const EVENT_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const EVENT_STATUSES = ['completed', 'failed', 'in-progress'];

/** external_instance_event {events}. */
export function parseExternalInstanceEvent(raw: BusArgs | unknown): { events: InstanceEvent[] } {
  const m = 'external_instance_event';
  const args = object(m, 'arguments', raw);
  only(m, 'arguments', args, ['events']);
  if (!Array.isArray(args.events) || args.events.length === 0 || args.events.length > 1000) {
    throw new ComputeArgumentError(m, 'events must be an array of 1-1000 events');
  }
  const events = (args.events as unknown[]).map((raw, i): InstanceEvent => {
    const e = object(m, `events[${i}]`, raw);
    only(m, `events[${i}]`, e, ['name', 'server_uuid', 'tag', 'status']);
    if (typeof e.name !== 'string' || !EVENT_NAME.test(e.name)) throw new ComputeArgumentError(m, `events[${i}].name must be an event name`);
    if (typeof e.status !== 'string' || !EVENT_STATUSES.includes(e.status)) throw new ComputeArgumentError(m, `events[${i}].status must be one of ${EVENT_STATUSES.join(', ')}`);
    return {
      name: e.name, server_uuid: uuid(m, `events[${i}].server_uuid`, e.server_uuid), status: e.status,
      ...(e.tag === undefined ? {} : { tag: text(m, `events[${i}].tag`, e.tag, 255) }),
    };
  });
  return { events };
}

/** The handlers of topic `compute` for one host. */
export function computeHandlers(target: ComputeRpcTarget): Handlers {
  // The manager logs and reports its own failures; nothing is left to reject unobserved.
  const detach = (work: Promise<unknown>): undefined => { work.catch(() => undefined); return undefined; };
  return {
    build_and_run_instance: async (args) => detach(target.buildAndRunInstance(parseBuildAndRunInstance(args).build)),
    stop_instance: async (args) => detach(target.stopInstance(parseInstanceRequest('stop_instance', args))),
    start_instance: async (args) => detach(target.startInstance(parseInstanceRequest('start_instance', args))),
    reboot_instance: async (args) => detach(target.rebootInstance(parseRebootInstance(args))),
    trigger_crash_dump: async (args) => detach(target.triggerCrashDump(parseInstanceRequest('trigger_crash_dump', args))),
    snapshot_instance: async (args) => detach(target.snapshotInstance(parseSnapshotInstance(args))),
    backup_instance: async (args) => detach(target.snapshotInstance(parseBackupInstance(args))),
    rebuild_instance: async (args) => detach(target.rebuildInstance(parseRebuildInstance(args))),
    pause_instance: async (args) => detach(target.pauseInstance(parseInstanceRequest('pause_instance', args))),
    unpause_instance: async (args) => detach(target.unpauseInstance(parseInstanceRequest('unpause_instance', args))),
    suspend_instance: async (args) => detach(target.suspendInstance(parseInstanceRequest('suspend_instance', args))),
    resume_instance: async (args) => detach(target.resumeInstance(parseInstanceRequest('resume_instance', args))),
    rescue_instance: async (args) => detach(target.rescueInstance(parseRescueInstance(args))),
    unrescue_instance: async (args) => detach(target.unrescueInstance(parseInstanceRequest('unrescue_instance', args))),
    attach_interface: async (args) => ({ port_id: await target.attachInterface(parseAttachInterface(args)) }),
    detach_interface: async (args) => detach(target.detachInterface(parseDetachInterface(args))),
    set_admin_password: async (args) => { await target.setAdminPassword(parseSetAdminPassword(args)); return {}; },
    terminate_instance: async (args) => detach(target.terminateInstance(parseInstanceRequest('terminate_instance', args))),
    resize_instance: async (args) => detach(target.resizeInstance(parseResizeInstance(args))),
    finish_resize: async (args) => detach(target.finishResize(parseFinishResize(args))),
    confirm_resize: async (args) => detach(target.confirmResize(parseMoveRequest('confirm_resize', args))),
    revert_resize: async (args) => detach(target.revertResize(parseMoveRequest('revert_resize', args))),
    finish_revert_resize: async (args) => detach(target.finishRevertResize(parseFinishRevertResize(args))),
    shelve_instance: async (args) => detach(target.shelveInstance(parseShelveInstance(args))),
    shelve_offload_instance: async (args) => detach(target.shelveOffloadInstance(parseInstanceRequest('shelve_offload_instance', args))),
    unshelve_instance: async (args) => detach(target.unshelveInstance(parseUnshelveInstance(args))),
    live_migration: async (args) => detach(target.liveMigration(parseLiveMigration(args))),
    pre_live_migration: async (args) => ({ ...await target.preLiveMigration(parsePreLiveMigration(args)) }),
    post_live_migration_at_destination: async (args) => { await target.postLiveMigration(parsePostLiveMigration(args)); return {}; },
    rollback_live_migration_at_destination: async (args) => { await target.rollbackLiveMigration(parseMoveRequest('rollback_live_migration_at_destination', args)); return {}; },
    rebuild_evacuated_instance: async (args) => detach(target.rebuildEvacuatedInstance(parseRebuildEvacuated(args))),
    get_console_output: async (args) => ({ output: await target.getConsoleOutput(parseGetConsoleOutput(args)) }),
    get_console_connect_info: async (args) => ({ ...await target.getConsoleConnectInfo(parseGetConsoleConnectInfo(args)) }),
    get_diagnostics: async (args) => ({ ...await target.getDiagnostics(parseGetDiagnostics(args)) }),
    get_host_uptime: async (args) => { parseGetHostUptime(args); return { uptime: await target.getHostUptime() }; },
    external_instance_event: async (args) => { target.externalInstanceEvents(parseExternalInstanceEvent(args).events); return undefined; },
  };
}

export function serveCompute(bus: Bus, host: string, target: ComputeRpcTarget): Promise<Server> {
  return bus.serve(COMPUTE_RPC_TOPIC, host, computeHandlers(target));
}

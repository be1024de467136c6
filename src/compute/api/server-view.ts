// The server view (nova/api/openstack/compute/views/servers.py ViewBuilder.show/basic): every field
// Nova shows, gated by microversion and policy. Rows come with their satellites (metadata, info
// cache, tags, newest fault, request spec, BDMs, services), loaded in bulk by loadServerExtras so
// a list costs a handful of queries, not a handful per server.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ComputeDb, InstanceFaultRow, InstanceRow, ServiceRow } from '../db/schema.js';
import { serviceIsUp } from '../domain/availability-zones.js';
import { allowed, ownTarget } from '../domain/policy.js';
import type { VifInfo } from '../rpc/compute-protocol.js';
import { novaDateTime } from './render.js';
import type { Ctx } from './router.js';
import { parseNetworkInfo } from '../rpc/vif-info.js';
import { renderAddresses } from './server-addresses.js';

export type ViewContext = Pick<Ctx, 'deps' | 'mv' | 'caller' | 'links'>;

/** What a server's view needs beside its row. */
export interface ServerExtras {
  readonly metadata: Record<string, string>;
  readonly networkInfo: VifInfo[];
  readonly tags: string[];
  readonly fault: InstanceFaultRow | undefined;
  /**
   * The request spec's security group names: what the ports were created with, kept current by
   * add/removeSecurityGroup (undefined: no spec says, the ports have `default`).
   */
  securityGroups: string[] | undefined;
  readonly volumes: { id: string; delete_on_termination: boolean }[];
  /** The host's nova-compute service, for host_status. */
  readonly service: ServiceRow | undefined;
  /** Server group uuids (2.71 show/update only; loaded on request). */
  readonly serverGroups: string[];
}

// ---- status (nova/api/openstack/common.py _STATE_MAP) ------------------------------------

type TaskMap = Readonly<Record<string, string>> & { readonly default: string };
const RESIZE = { resize_prep: 'RESIZE', resize_migrating: 'RESIZE', resize_migrated: 'RESIZE', resize_finish: 'RESIZE' };
const REBUILD = { rebuilding: 'REBUILD', rebuild_block_device_mapping: 'REBUILD', rebuild_spawning: 'REBUILD' };

export const STATE_MAP: Readonly<Record<string, TaskMap>> = {
  active: {
    default: 'ACTIVE',
    rebooting: 'REBOOT', reboot_pending: 'REBOOT', reboot_started: 'REBOOT',
    rebooting_hard: 'HARD_REBOOT', reboot_pending_hard: 'HARD_REBOOT', reboot_started_hard: 'HARD_REBOOT',
    updating_password: 'PASSWORD', migrating: 'MIGRATING', ...REBUILD, ...RESIZE,
  },
  building: { default: 'BUILD' },
  stopped: { default: 'SHUTOFF', ...RESIZE, ...REBUILD },
  resized: { default: 'VERIFY_RESIZE', resize_reverting: 'REVERT_RESIZE' },
  paused: { default: 'PAUSED', migrating: 'MIGRATING' },
  suspended: { default: 'SUSPENDED' },
  rescued: { default: 'RESCUE' },
  error: { default: 'ERROR', ...REBUILD },
  deleted: { default: 'DELETED' },
  soft_deleted: { default: 'SOFT_DELETED' },
  shelved: { default: 'SHELVED' },
  shelved_offloaded: { default: 'SHELVED_OFFLOADED' },
};

/** common.status_from_state. */
export function serverStatus(vmState: string, taskState: string | null): string {
  const map = STATE_MAP[vmState];
  if (map === undefined) return 'UNKNOWN';
  return (taskState !== null ? map[taskState] : undefined) ?? map.default;
}

/** common.task_and_vm_state_from_status: the vm and task states that show as any of `statuses`. */
export function statesFromStatus(statuses: readonly string[]): { vmStates: string[]; taskStates: string[] } {
  const wanted = new Set(statuses.map((s) => s.toLowerCase()));
  const vm = new Set<string>();
  const task = new Set<string>();
  for (const [vmState, map] of Object.entries(STATE_MAP)) {
    for (const [taskState, status] of Object.entries(map)) {
      if (!wanted.has(status.toLowerCase())) continue;
      vm.add(vmState);
      task.add(taskState);
    }
  }
  return { vmStates: [...vm].sort(), taskStates: [...task].sort() };
}

const FAULT_STATUSES = new Set(['ERROR', 'DELETED']);
const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);

// ---- loading -------------------------------------------------------------------------------

function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** The satellites of `rows`, keyed by uuid. */
export async function loadServerExtras(db: Kysely<ComputeDb>, rows: readonly InstanceRow[], options: { serverGroups?: boolean } = {}): Promise<Map<string, ServerExtras>> {
  const out = new Map<string, ServerExtras>();
  for (const r of rows) {
    out.set(r.uuid, { metadata: {}, networkInfo: [], tags: [], fault: undefined, securityGroups: undefined, volumes: [], service: undefined, serverGroups: [] });
  }
  const get = (uuid: string): ServerExtras => out.get(uuid)!;
  const hosts = [...new Set(rows.map((r) => r.host).filter((h): h is string => h !== null && h !== ''))];
  for (const uuids of chunks(rows.map((r) => r.uuid))) {
    if (uuids.length === 0) continue;
    const [meta, caches, tags, faults, specs, bdms] = await Promise.all([
      db.selectFrom('nova_instance_metadata').selectAll().where('instance_uuid', 'in', uuids).orderBy('key').execute(),
      db.selectFrom('nova_instance_info_cache').selectAll().where('instance_uuid', 'in', uuids).execute(),
      db.selectFrom('nova_instance_tag').selectAll().where('instance_uuid', 'in', uuids).orderBy('tag').execute(),
      db.selectFrom('nova_instance_fault').selectAll().where('instance_uuid', 'in', uuids).orderBy('id', 'desc').execute(),
      db.selectFrom('nova_request_spec').select(['instance_uuid', 'spec']).where('instance_uuid', 'in', uuids).execute(),
      db.selectFrom('nova_block_device_mapping').select(['instance_uuid', 'volume_id', 'delete_on_termination', 'id'])
        .where('instance_uuid', 'in', uuids).where('destination_type', '=', 'volume').orderBy('id').execute(),
    ]);
    for (const m of meta) get(m.instance_uuid).metadata[m.key] = m.value;
    for (const c of caches) get(c.instance_uuid).networkInfo.push(...parseNetworkInfo(c.network_info));
    for (const t of tags) get(t.instance_uuid).tags.push(t.tag);
    for (const f of faults) {
      const e = get(f.instance_uuid);
      if (e.fault === undefined) out.set(f.instance_uuid, { ...e, fault: f });
    }
    for (const s of specs) {
      const groups = parseJson<{ security_groups?: unknown }>(s.spec, {}).security_groups;
      if (Array.isArray(groups)) get(s.instance_uuid).securityGroups = groups.filter((g): g is string => typeof g === 'string');
    }
    for (const b of bdms) {
      if (b.volume_id !== null) get(b.instance_uuid).volumes.push({ id: b.volume_id, delete_on_termination: b.delete_on_termination === 1 });
    }
    if (options.serverGroups) {
      const members = await db.selectFrom('nova_server_group_member')
        .innerJoin('nova_server_group', 'nova_server_group.id', 'nova_server_group_member.group_id')
        .select(['nova_server_group_member.instance_uuid', 'nova_server_group.uuid']).where('nova_server_group_member.instance_uuid', 'in', uuids).execute();
      for (const m of members) get(m.instance_uuid).serverGroups.push(m.uuid);
    }
  }
  if (hosts.length > 0) {
    const services = await db.selectFrom('nova_service').selectAll().where('binary', '=', 'nova-compute').where('host', 'in', hosts).execute();
    const byHost = new Map(services.map((s) => [s.host, s]));
    for (const r of rows) {
      const service = r.host !== null ? byHost.get(r.host) : undefined;
      if (service !== undefined) out.set(r.uuid, { ...get(r.uuid), service });
    }
  }
  return out;
}

// ---- rendering -----------------------------------------------------------------------------

/** utils.generate_hostid: sha224(project_id + host), '' before a host is chosen. */
export function hostId(projectId: string, host: string | null): string {
  return host ? createHash('sha224').update(`${projectId}${host}`, 'utf8').digest('hex') : '';
}

/** utils.isotime: "2024-05-07T12:06:13Z". */
export function isoTime(iso: string | null): string | null {
  if (iso === null) return null;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)/.exec(iso);
  return m === null ? iso : `${m[1]}Z`;
}

/** Nova's instance.name (CONF.instance_name_template 'instance-%08x'). */
export function instanceName(id: number): string {
  return `instance-${id.toString(16).padStart(8, '0')}`;
}

/** compute API get_instance_host_status. */
export function hostStatus(row: InstanceRow, service: ServiceRow | undefined, ctx: ViewContext): string {
  if (!row.host) return '';
  if (service === undefined) return '';
  if (service.forced_down) return 'DOWN';
  if (service.disabled) return 'MAINTENANCE';
  return serviceIsUp(service, ctx.deps.compute) ? 'UP' : 'UNKNOWN';
}

interface FlavorSnapshot {
  id?: number; flavorid?: string; name?: string; memory_mb?: number; vcpus?: number; root_gb?: number;
  ephemeral_gb?: number; swap?: number; extra_specs?: Record<string, string>;
}

function bookmark(ctx: ViewContext, collection: string, id: string): { rel: string; href: string }[] {
  const link = ctx.links.resource(collection, id).find((l) => l.rel === 'bookmark')!;
  return [{ rel: 'bookmark', href: link.href }];
}

function flavorView(ctx: ViewContext, row: InstanceRow): Record<string, unknown> {
  const f = parseJson<FlavorSnapshot>(row.flavor, {});
  if (ctx.mv.lessThan('2.47')) {
    const id = String(f.flavorid ?? '');
    return { id, links: bookmark(ctx, 'flavors', id) };
  }
  const out: Record<string, unknown> = {
    vcpus: f.vcpus ?? row.vcpus, ram: f.memory_mb ?? row.memory_mb, disk: f.root_gb ?? row.root_gb,
    ephemeral: f.ephemeral_gb ?? row.ephemeral_gb, swap: f.swap ?? 0, original_name: f.name ?? '',
  };
  if (allowed(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:show:flavor-extra-specs', ownTarget(ctx.caller))) {
    out.extra_specs = f.extra_specs ?? {};
  }
  return out;
}

function faultView(ctx: ViewContext, fault: InstanceFaultRow): Record<string, unknown> {
  const out: Record<string, unknown> = { code: fault.code, created: isoTime(fault.created_at), message: fault.message };
  if (fault.details && (ctx.caller.isAdmin || fault.code !== 500)) out.details = fault.details;
  return out;
}

/** The optional parts of the view (Nova's show() keyword arguments). */
export interface ServerViewOptions {
  /** Everything GET shows; PUT before 2.75 shows only the base fields. */
  readonly full?: boolean;
  /** 2.71: server_groups (show, and update/rebuild). */
  readonly serverGroups?: boolean;
}

/** The detailed view of one server (GET /servers/{id}, /servers/detail, PUT). */
export function renderServer(ctx: ViewContext, row: InstanceRow, extras: ServerExtras, options: ServerViewOptions = {}): Record<string, unknown> {
  const full = options.full ?? true;
  const mv = ctx.mv;
  const status = serverStatus(row.vm_state, row.task_state);
  const s: Record<string, unknown> = {
    id: row.uuid,
    name: row.display_name,
    status,
    tenant_id: row.project_id,
    user_id: row.user_id,
    metadata: extras.metadata,
    hostId: hostId(row.project_id, row.host),
    image: row.image_ref ? { id: row.image_ref, links: bookmark(ctx, 'images', row.image_ref) } : '',
    flavor: flavorView(ctx, row),
    created: isoTime(row.created_at),
    updated: isoTime(row.updated_at),
    // Hidden while building, as Nova does; the ips API shows them without the extended fields.
    addresses: row.vm_state === 'building' ? {} : renderAddresses(extras.networkInfo, mv, { extended: full }),
    accessIPv4: row.access_ip_v4 ?? '',
    accessIPv6: row.access_ip_v6 ?? '',
    links: ctx.links.resource('servers', row.uuid),
    'OS-DCF:diskConfig': 'MANUAL',
  };
  if (FAULT_STATUSES.has(status) && extras.fault !== undefined) s.fault = faultView(ctx, extras.fault);
  if (PROGRESS_STATUSES.has(status)) s.progress = row.progress ?? 0;
  const target = { project_id: row.project_id };
  const extendedAttr = full && allowed(ctx.deps.policy, ctx.caller, 'os_compute_api:os-extended-server-attributes', target);
  if (full) {
    const zone = row.availability_zone ?? (row.host ? ctx.deps.compute.defaultAvailabilityZone : null);
    s['OS-EXT-AZ:availability_zone'] = zone ?? '';
    s.config_drive = row.config_drive;
    s.key_name = row.key_name;
    s['OS-SRV-USG:launched_at'] = novaDateTime(row.launched_at);
    s['OS-SRV-USG:terminated_at'] = novaDateTime(row.terminated_at);
    s['OS-EXT-STS:task_state'] = row.task_state;
    s['OS-EXT-STS:vm_state'] = row.vm_state;
    s['OS-EXT-STS:power_state'] = row.power_state;
    if (extendedAttr) {
      s['OS-EXT-SRV-ATTR:host'] = row.host;
      s['OS-EXT-SRV-ATTR:instance_name'] = instanceName(row.id);
      s['OS-EXT-SRV-ATTR:hypervisor_hostname'] = row.node;
      if (mv.atLeast('2.3')) {
        s['OS-EXT-SRV-ATTR:reservation_id'] = row.reservation_id;
        s['OS-EXT-SRV-ATTR:launch_index'] = row.launch_index;
        s['OS-EXT-SRV-ATTR:hostname'] = row.hostname;
        s['OS-EXT-SRV-ATTR:kernel_id'] = '';
        s['OS-EXT-SRV-ATTR:ramdisk_id'] = '';
        s['OS-EXT-SRV-ATTR:root_device_name'] = row.root_device_name;
        s['OS-EXT-SRV-ATTR:user_data'] = row.user_data;
      }
    }
    // Neutron reports the groups of the server's ports: none without a NIC, and the key is left
    // out when every group was removed (Nova shows only the groups it finds).
    const names = [...new Set(extras.securityGroups ?? ['default'])];
    if (extras.networkInfo.length > 0 && names.length > 0) s.security_groups = names.map((name) => ({ name }));
    s['os-extended-volumes:volumes_attached'] = extras.volumes.map((v) =>
      (mv.atLeast('2.3') ? { id: v.id, delete_on_termination: v.delete_on_termination } : { id: v.id }));
    if (mv.atLeast('2.16')) {
      // show:host_status shows any status; show:host_status:unknown-only only UNKNOWN.
      const any = allowed(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:show:host_status', target);
      const unknownOnly = !any && allowed(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:show:host_status:unknown-only', target);
      if (any || unknownOnly) {
        const hs = hostStatus(row, extras.service, ctx);
        if (any || hs === 'UNKNOWN') s.host_status = hs;
      }
    }
  }
  if (mv.atLeast('2.9')) s.locked = row.locked_by !== null && row.locked_by !== '' ? true : row.locked === 1;
  if (mv.atLeast('2.73')) s.locked_reason = row.locked_reason;
  if (mv.atLeast('2.19')) s.description = row.display_description;
  if (mv.atLeast('2.26')) s.tags = extras.tags;
  if (mv.atLeast('2.63')) s.trusted_image_certificates = null;
  // 2.90 shows the hostname to everyone (the extended attributes already hold it for admins).
  if (mv.atLeast('2.90') && !extendedAttr) s['OS-EXT-SRV-ATTR:hostname'] = row.hostname;
  if (options.serverGroups && mv.atLeast('2.71')) s.server_groups = extras.serverGroups;
  return s;
}

/** GET /servers: id, name and links. */
export function renderServerBrief(ctx: ViewContext, row: InstanceRow): Record<string, unknown> {
  return { id: row.uuid, name: row.display_name, links: ctx.links.resource('servers', row.uuid) };
}

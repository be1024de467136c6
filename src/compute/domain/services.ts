// os-services and the conductor's service/compute-node records (nova/objects/service.py,
// compute_node.py). Agents heartbeat through the conductor (service_update), which creates the
// (host, binary) row or refreshes its last_seen_up; the compute node row is created or refreshed
// by compute_node_update with the host's resources. The API reads and changes them here.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ApiError } from '../../core/errors.js';
import type { ComputeNodeUpdate, ServiceUpdate } from '../conductor/protocol.js';
import { CPU_ALLOCATION_RATIO, DISK_ALLOCATION_RATIO, RAM_ALLOCATION_RATIO } from '../conductor/protocol.js';
import type { ComputeDb, ComputeNodeRow, ServiceRow } from '../db/schema.js';
import { inTransaction, nextId, nowIso } from '../db/transaction.js';

/** nova.objects.service.SERVICE_VERSION of the release whose API this mirrors. */
export const SERVICE_VERSION = 66;

export const serviceNotFound = (id: string | number): ApiError => new ApiError(404, `Service ${id} could not be found.`, 'ServiceNotFound');
export const hostBinaryNotFound = (host: string, binary: string): ApiError =>
  new ApiError(404, `Could not find binary ${binary} on host ${host}.`, 'HostBinaryNotFound');

/** Creates the (host, binary) service or refreshes its heartbeat; returns the row. */
export async function recordServiceHeartbeat(db: Kysely<ComputeDb>, update: ServiceUpdate): Promise<ServiceRow> {
  return inTransaction(db, async (trx) => {
    const now = nowIso();
    const existing = await trx.selectFrom('nova_service').selectAll()
      .where('host', '=', update.host).where('binary', '=', update.binary).executeTakeFirst();
    if (existing) {
      // An atomic increment: concurrent heartbeats must not lose counts on PostgreSQL.
      await trx.updateTable('nova_service').set({
        topic: update.topic, last_seen_up: now, updated_at: now,
        report_count: update.report_count ?? sql<number>`report_count + 1`,
      }).where('id', '=', existing.id).execute();
      return trx.selectFrom('nova_service').selectAll().where('id', '=', existing.id).executeTakeFirstOrThrow();
    }
    const row: ServiceRow = {
      id: await nextId(trx, 'nova_service'), uuid: randomUUID(), host: update.host, binary: update.binary, topic: update.topic,
      report_count: update.report_count ?? 1, disabled: 0, disabled_reason: null, forced_down: 0, last_seen_up: now,
      version: SERVICE_VERSION, created_at: now, updated_at: now,
    };
    await trx.insertInto('nova_service').values(row).execute();
    return row;
  });
}

export class ComputeNodeConflict extends Error {}

/** Creates or refreshes a compute node (keyed by uuid; host+hypervisor_hostname must match). */
export async function recordComputeNode(db: Kysely<ComputeDb>, update: ComputeNodeUpdate): Promise<ComputeNodeRow> {
  return inTransaction(db, async (trx) => {
    const now = nowIso();
    const service = await trx.selectFrom('nova_service').select('id')
      .where('host', '=', update.host).where('binary', '=', 'nova-compute').executeTakeFirst();
    const values = {
      service_id: service?.id ?? null,
      host: update.host,
      hypervisor_hostname: update.hypervisor_hostname,
      hypervisor_type: update.hypervisor_type,
      hypervisor_version: update.hypervisor_version,
      vcpus: update.vcpus, memory_mb: update.memory_mb, local_gb: update.local_gb,
      vcpus_used: update.vcpus_used, memory_mb_used: update.memory_mb_used, local_gb_used: update.local_gb_used,
      free_ram_mb: update.memory_mb - update.memory_mb_used,
      free_disk_gb: update.local_gb - update.local_gb_used,
      running_vms: update.running_vms,
      disk_available_least: update.disk_available_least,
      cpu_info: JSON.stringify(update.cpu_info),
      ...(update.host_ip !== undefined ? { host_ip: update.host_ip } : {}),
      updated_at: now,
    };
    const byName = await trx.selectFrom('nova_compute_node').selectAll()
      .where('host', '=', update.host).where('hypervisor_hostname', '=', update.hypervisor_hostname).executeTakeFirst();
    if (byName && byName.uuid !== update.uuid) {
      throw new ComputeNodeConflict(`compute node ${update.hypervisor_hostname} on ${update.host} already exists with uuid ${byName.uuid}`);
    }
    const existing = byName ?? await trx.selectFrom('nova_compute_node').selectAll().where('uuid', '=', update.uuid).executeTakeFirst();
    if (existing) {
      if (existing.host !== update.host) throw new ComputeNodeConflict(`compute node ${update.uuid} belongs to host ${existing.host}`);
      await trx.updateTable('nova_compute_node').set(values).where('id', '=', existing.id).execute();
      return { ...existing, ...values };
    }
    const row: ComputeNodeRow = {
      id: await nextId(trx, 'nova_compute_node'), uuid: update.uuid, host_ip: null,
      cpu_allocation_ratio: CPU_ALLOCATION_RATIO, ram_allocation_ratio: RAM_ALLOCATION_RATIO, disk_allocation_ratio: DISK_ALLOCATION_RATIO,
      created_at: now, ...values,
    };
    await trx.insertInto('nova_compute_node').values(row).execute();
    return row;
  });
}

export async function getServiceById(db: Kysely<ComputeDb>, id: number): Promise<ServiceRow | undefined> {
  return db.selectFrom('nova_service').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The nova-compute service of a host (Nova's Service.get_by_compute_host). */
export async function getComputeService(db: Kysely<ComputeDb>, host: string): Promise<ServiceRow | undefined> {
  return db.selectFrom('nova_service').selectAll().where('host', '=', host).where('binary', '=', 'nova-compute').executeTakeFirst();
}

export async function getServiceByUuid(db: Kysely<ComputeDb>, uuid: string): Promise<ServiceRow | undefined> {
  return db.selectFrom('nova_service').selectAll().where('uuid', '=', uuid).executeTakeFirst();
}

export interface ServiceChanges {
  readonly disabled?: boolean;
  readonly disabled_reason?: string | null;
  readonly forced_down?: boolean;
}

function changeSet(changes: ServiceChanges): Partial<ServiceRow> {
  const set: Partial<ServiceRow> = { updated_at: nowIso() };
  if (changes.disabled !== undefined) set.disabled = changes.disabled ? 1 : 0;
  if (changes.disabled_reason !== undefined) set.disabled_reason = changes.disabled_reason;
  if (changes.forced_down !== undefined) set.forced_down = changes.forced_down ? 1 : 0;
  return set;
}

/** Applies changes to a service by id; returns the updated row (undefined: gone). */
export async function updateService(db: Kysely<ComputeDb>, id: number, changes: ServiceChanges): Promise<ServiceRow | undefined> {
  return inTransaction(db, async (trx) => {
    await trx.updateTable('nova_service').set(changeSet(changes)).where('id', '=', id).execute();
    return trx.selectFrom('nova_service').selectAll().where('id', '=', id).executeTakeFirst();
  });
}

/** The legacy host+binary updates (< 2.53): HostBinaryNotFound when there is no such service. */
export async function updateServiceByHostBinary(db: Kysely<ComputeDb>, host: string, binary: string, changes: ServiceChanges): Promise<ServiceRow> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('nova_service').selectAll().where('host', '=', host).where('binary', '=', binary).executeTakeFirst();
    if (!row) throw hostBinaryNotFound(host, binary);
    const set = changeSet(changes);
    await trx.updateTable('nova_service').set(set).where('id', '=', row.id).execute();
    return { ...row, ...set };
  });
}

export const serviceHostsInstances = (): ApiError => new ApiError(409,
  'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.');

/**
 * Deletes a service; for a compute service also its compute nodes and its host's aggregate
 * memberships (as Nova's service delete does). Refused (409) while instances live on the host.
 * Returns the deleted compute nodes (their Placement providers are the caller's to remove).
 */
export async function deleteService(db: Kysely<ComputeDb>, id: number): Promise<{ service: ServiceRow; nodes: ComputeNodeRow[] } | undefined> {
  return inTransaction(db, async (trx) => {
    const service = await trx.selectFrom('nova_service').selectAll().where('id', '=', id).executeTakeFirst();
    if (!service) return undefined;
    let nodes: ComputeNodeRow[] = [];
    if (service.binary === 'nova-compute') {
      const hosting = await trx.selectFrom('nova_instance').select('uuid')
        .where('host', '=', service.host).where('deleted', '=', 0).limit(1).executeTakeFirst();
      if (hosting) throw serviceHostsInstances();
      nodes = await trx.selectFrom('nova_compute_node').selectAll().where('host', '=', service.host).execute();
      await trx.deleteFrom('nova_compute_node').where('host', '=', service.host).execute();
      await trx.deleteFrom('nova_aggregate_host').where('host', '=', service.host).execute();
    }
    await trx.deleteFrom('nova_service').where('id', '=', id).execute();
    return { service, nodes };
  });
}

// ---- compute nodes (os-hypervisors) ---------------------------------------------------------

export interface NodeWithService {
  readonly node: ComputeNodeRow;
  readonly service: ServiceRow;
}

/** Pairs compute nodes with their host's nova-compute service, dropping orphans (Nova skips them). */
export async function withServices(db: Kysely<ComputeDb>, nodes: readonly ComputeNodeRow[]): Promise<NodeWithService[]> {
  if (nodes.length === 0) return [];
  const hosts = [...new Set(nodes.map((n) => n.host))];
  const services = await db.selectFrom('nova_service').selectAll()
    .where('binary', '=', 'nova-compute').where('host', 'in', hosts).execute();
  const byHost = new Map(services.map((s) => [s.host, s]));
  const out: NodeWithService[] = [];
  for (const node of nodes) {
    const service = byHost.get(node.host);
    if (service) out.push({ node, service });
  }
  return out;
}

/** Compute nodes in id order after the marker node's id. */
export async function listComputeNodes(db: Kysely<ComputeDb>, limit: number | undefined, afterId: number | undefined): Promise<ComputeNodeRow[]> {
  let q = db.selectFrom('nova_compute_node').selectAll().orderBy('id');
  if (afterId !== undefined) q = q.where('id', '>', afterId);
  if (limit !== undefined) q = q.limit(limit);
  return q.execute();
}

export async function findComputeNode(db: Kysely<ComputeDb>, by: { id: number } | { uuid: string }): Promise<ComputeNodeRow | undefined> {
  const q = db.selectFrom('nova_compute_node').selectAll();
  return ('id' in by ? q.where('id', '=', by.id) : q.where('uuid', '=', by.uuid)).executeTakeFirst();
}

/** compute_node_search_by_hypervisor: hypervisor_hostname LIKE %pattern% (literal substring). */
export async function searchComputeNodes(db: Kysely<ComputeDb>, pattern: string): Promise<ComputeNodeRow[]> {
  const rows = await db.selectFrom('nova_compute_node').selectAll().orderBy('id').execute();
  const needle = pattern.toLowerCase();
  return rows.filter((r) => r.hypervisor_hostname.toLowerCase().includes(needle));
}

/** Servers on a host (not deleted), for `with_servers` and /servers. */
export async function instancesOnHost(db: Kysely<ComputeDb>, host: string): Promise<{ uuid: string; name: string }[]> {
  const rows = await db.selectFrom('nova_instance').select(['uuid', 'display_name'])
    .where('host', '=', host).where('deleted', '=', 0).orderBy('id').execute();
  return rows.map((r) => ({ uuid: r.uuid, name: r.display_name }));
}

const WORKLOAD_TASK_STATES = ['scheduling', 'block_device_mapping', 'networking', 'spawning', 'resize_prep', 'resize_migrating',
  'resize_migrated', 'resize_finish', 'rebuilding', 'rebuild_spawning', 'image_snapshot', 'image_backup', 'migrating'];

/** current_workload: instances on the host in a building/moving task state. */
export async function currentWorkloads(db: Kysely<ComputeDb>, hosts: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (hosts.length === 0) return out;
  const rows = await db.selectFrom('nova_instance').select(['host', 'task_state'])
    .where('host', 'in', [...hosts]).where('deleted', '=', 0).where('task_state', 'is not', null).execute();
  for (const r of rows) if (r.host !== null && r.task_state !== null && WORKLOAD_TASK_STATES.includes(r.task_state)) out.set(r.host, (out.get(r.host) ?? 0) + 1);
  return out;
}

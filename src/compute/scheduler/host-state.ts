// What the scheduler knows about each candidate host (nova.scheduler.host_manager.HostState):
// loaded from the database for the compute nodes Placement offered (node uuid = provider uuid),
// with free resources taken from Placement's provider summaries (capacity - used), which are
// fresher than the node's own report. The filters and weighers read these; the scheduler
// consumes from them as it places the instances of one request, so the next one sees it.
import type { Kysely } from 'kysely';
import type { ProviderSummary } from '../../core/clients/placement-client.js';
import type { ComputeConfig } from '../config.js';
import type { ComputeDb, ComputeNodeRow } from '../db/schema.js';
import { serviceIsUp } from '../domain/availability-zones.js';
import type { FlavorSnapshot } from '../rpc/compute-protocol.js';

export interface HostState {
  readonly host: string;
  readonly nodename: string;
  readonly nodeUuid: string;
  readonly serviceDisabled: boolean;
  readonly serviceUp: boolean;
  /** Zones from the host's aggregates; empty means the default zone. */
  readonly availabilityZones: readonly string[];
  /** Aggregate metadata of the host: key → every value its aggregates give it. */
  readonly aggregateMetadata: ReadonlyMap<string, readonly string[]>;
  /** Instances (not deleted) on the host, including ones placed earlier in this request. */
  readonly instances: Set<string>;
  /** x86_64, … (the node's cpu_info.arch). */
  readonly cpuArch: string;
  /** Placement's view: capacity after allocation ratio and reserved, and what is used. */
  freeRamMb: number;
  freeDiskMb: number;
  freeVcpus: number;
  /** Builds that failed on this host since its last successful one (nova's failed_builds). */
  readonly failedBuilds: number;
}

/** The request's server group, as Nova attaches it to the RequestSpec (members and their hosts). */
export interface GroupState {
  readonly uuid: string;
  readonly policy: string;
  readonly maxServerPerHost: number;
  readonly members: Set<string>;
  readonly hosts: Set<string>;
}

export interface HostStates {
  readonly byNode: ReadonlyMap<string, HostState>;
  readonly group?: GroupState | undefined;
}

/** The build failure event an agent reports (compute__do_build_and_run_instance). */
export const BUILD_EVENT = 'compute__do_build_and_run_instance';

function summaryFree(summary: ProviderSummary | undefined, rc: string): number | undefined {
  const r = summary?.resources[rc];
  return r === undefined ? undefined : r.capacity - r.used;
}

function nodeArch(node: ComputeNodeRow): string {
  try {
    const info = JSON.parse(node.cpu_info) as { arch?: unknown };
    return typeof info.arch === 'string' ? info.arch : 'x86_64';
  } catch {
    return 'x86_64';
  }
}

/**
 * Host states for the given compute nodes (in the given order; unknown uuids and nodes whose host
 * has no nova-compute service are left out, as Nova skips them), with the request's group.
 */
export async function loadHostStates(
  db: Kysely<ComputeDb>, nodeUuids: readonly string[], summaries: Readonly<Record<string, ProviderSummary>>,
  compute: ComputeConfig, groupUuid?: string, now = Date.now(),
): Promise<HostStates> {
  const byNode = new Map<string, HostState>();
  const group = groupUuid !== undefined ? await loadGroup(db, groupUuid) : undefined;
  if (nodeUuids.length === 0) return { byNode, group };
  const nodes: ComputeNodeRow[] = [];
  // Chunked: 1000 providers must not become one query with 1000 bound parameters too many for SQLite.
  for (let i = 0; i < nodeUuids.length; i += 500) {
    nodes.push(...await db.selectFrom('nova_compute_node').selectAll().where('uuid', 'in', nodeUuids.slice(i, i + 500)).execute());
  }
  const hosts = [...new Set(nodes.map((n) => n.host))];
  const [services, aggregates, instances, failures] = await Promise.all([
    chunked(hosts, (part) => db.selectFrom('nova_service').selectAll().where('binary', '=', 'nova-compute').where('host', 'in', part).execute()),
    chunked(hosts, (part) => db.selectFrom('nova_aggregate_host')
      .leftJoin('nova_aggregate_metadata', 'nova_aggregate_metadata.aggregate_id', 'nova_aggregate_host.aggregate_id')
      .select(['nova_aggregate_host.host', 'nova_aggregate_metadata.key', 'nova_aggregate_metadata.value'])
      .where('nova_aggregate_host.host', 'in', part).orderBy('nova_aggregate_host.aggregate_id').execute()),
    chunked(hosts, (part) => db.selectFrom('nova_instance').select(['uuid', 'host']).where('deleted', '=', 0).where('host', 'in', part).execute()),
    failedBuilds(db, hosts),
  ]);
  const serviceByHost = new Map(services.map((s) => [s.host, s]));
  const metaByHost = new Map<string, Map<string, string[]>>();
  for (const row of aggregates) {
    if (row.key === null || row.value === null) continue;
    const meta = metaByHost.get(row.host) ?? new Map<string, string[]>();
    const values = meta.get(row.key) ?? [];
    if (!values.includes(row.value)) values.push(row.value);
    meta.set(row.key, values);
    metaByHost.set(row.host, meta);
  }
  const instancesByHost = new Map<string, Set<string>>();
  for (const row of instances) {
    if (row.host === null) continue;
    const set = instancesByHost.get(row.host) ?? new Set<string>();
    set.add(row.uuid);
    instancesByHost.set(row.host, set);
  }
  const nodeByUuid = new Map(nodes.map((n) => [n.uuid, n]));
  for (const uuid of nodeUuids) {
    const node = nodeByUuid.get(uuid);
    const service = node && serviceByHost.get(node.host);
    if (!node || !service) continue;
    const summary = summaries[uuid];
    const meta = metaByHost.get(node.host) ?? new Map<string, string[]>();
    byNode.set(uuid, {
      host: node.host, nodename: node.hypervisor_hostname, nodeUuid: uuid,
      serviceDisabled: service.disabled === 1, serviceUp: serviceIsUp(service, compute, now),
      availabilityZones: meta.get('availability_zone') ?? [], aggregateMetadata: meta,
      instances: new Set(instancesByHost.get(node.host) ?? []),
      cpuArch: nodeArch(node),
      freeRamMb: summaryFree(summary, 'MEMORY_MB') ?? node.free_ram_mb,
      freeDiskMb: (summaryFree(summary, 'DISK_GB') ?? node.free_disk_gb) * 1024,
      freeVcpus: summaryFree(summary, 'VCPU') ?? node.vcpus * node.cpu_allocation_ratio - node.vcpus_used,
      failedBuilds: failures.get(node.host) ?? 0,
    });
  }
  return { byNode, group };
}

async function chunked<T>(items: readonly string[], query: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < items.length; i += 500) out.push(...await query(items.slice(i, i + 500)));
  return out;
}

/**
 * Failed builds per host since its last successful one, from the last day of build events
 * (Nova's compute manager counts them in memory and resets on success; the events are ours).
 */
async function failedBuilds(db: Kysely<ComputeDb>, hosts: readonly string[]): Promise<Map<string, number>> {
  const since = new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const rows = await chunked(hosts, (part) => db.selectFrom('nova_instance_action_event').select(['host', 'result', 'id'])
    .where('event', '=', BUILD_EVENT).where('host', 'in', part).where('result', 'is not', null)
    .where('start_time', '>=', since).orderBy('id').execute());
  const out = new Map<string, number>();
  for (const r of rows) {
    if (r.host === null) continue;
    out.set(r.host, r.result === 'Error' ? (out.get(r.host) ?? 0) + 1 : 0);
  }
  return out;
}

async function loadGroup(db: Kysely<ComputeDb>, uuid: string): Promise<GroupState | undefined> {
  const group = await db.selectFrom('nova_server_group').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  if (!group) return undefined;
  const members = await db.selectFrom('nova_server_group_member').select('instance_uuid').where('group_id', '=', group.id).execute();
  const memberUuids = members.map((m) => m.instance_uuid);
  const hosts = memberUuids.length === 0 ? [] : await chunked(memberUuids, (part) => db.selectFrom('nova_instance').select('host')
    .where('uuid', 'in', part).where('deleted', '=', 0).where('host', 'is not', null).execute());
  let maxServerPerHost = 1;
  try {
    const rules = JSON.parse(group.rules) as { max_server_per_host?: unknown };
    const n = Number(rules.max_server_per_host);
    if (Number.isInteger(n) && n > 0) maxServerPerHost = n;
  } catch { /* no rules */ }
  return {
    uuid, policy: group.policy, maxServerPerHost, members: new Set(memberUuids),
    hosts: new Set(hosts.map((h) => h.host).filter((h): h is string => h !== null)),
  };
}

/** consume_from_request: the chosen host holds the instance now (resources, membership). */
export function consumeFromRequest(state: HostState, flavor: FlavorSnapshot, disk: number, instanceUuid: string, group?: GroupState): void {
  state.freeRamMb -= flavor.memory_mb;
  state.freeVcpus -= flavor.vcpus;
  state.freeDiskMb -= disk * 1024;
  state.instances.add(instanceUuid);
  if (group) {
    group.members.add(instanceUuid);
    group.hosts.add(state.host);
  }
}

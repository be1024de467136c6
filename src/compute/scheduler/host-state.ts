// What the scheduler knows about each candidate host (nova.scheduler.host_manager.HostState):
// loaded from the database for the compute nodes Placement offered (node uuid = provider uuid),
// with free resources taken from Placement's provider summaries (capacity - used), which are
// fresher than the node's own report. The filters and weighers read these; the scheduler
// consumes from them as it places the instances of one request, so the next one sees it.
import type { Kysely, ReferenceExpression, SelectQueryBuilder } from 'kysely';
import type { ProviderSummary } from '../../core/clients/placement-client.js';
import type { ComputeConfig } from '../config.js';
import { isoSeconds } from '../db/transaction.js';
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
  /** Instances (not deleted) on the host, including ones placed earlier in this request (replaced, never changed in place). */
  instances: ReadonlySet<string>;
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

const NO_METADATA: ReadonlyMap<string, readonly string[]> = new Map();
const NO_ZONES: readonly string[] = [];
const NO_INSTANCES: ReadonlySet<string> = new Set();

/** Above this many candidate nodes the node table is read whole rather than by uuid list. */
const WHOLE_TABLE_AT = 200;

/** cpu_info JSON → arch; the same few strings repeat across a thousand nodes, so parse each once. */
const archOf = new Map<string, string>();
function nodeArch(node: Pick<ComputeNodeRow, 'cpu_info'>): string {
  let arch = archOf.get(node.cpu_info);
  if (arch !== undefined) return arch;
  try {
    const info = JSON.parse(node.cpu_info) as { arch?: unknown };
    arch = typeof info.arch === 'string' ? info.arch : 'x86_64';
  } catch {
    arch = 'x86_64';
  }
  if (archOf.size > 1000) archOf.clear();
  archOf.set(node.cpu_info, arch);
  return arch;
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
  // When Placement offered many nodes (a thousand is the default limit) the whole table is read,
  // as Nova's host manager does: cheaper than binding a thousand parameters; filtering happens
  // here. Nodes and services are two scans: joining them costs more than both (SQLite looks up
  // every node by host).
  const wanted = new Set(nodeUuids);
  const nodeQuery = db.selectFrom('nova_compute_node').select([
    'uuid', 'host', 'hypervisor_hostname', 'cpu_info', 'free_ram_mb', 'free_disk_gb', 'vcpus', 'vcpus_used', 'cpu_allocation_ratio',
  ]);
  const nodes = nodeUuids.length > WHOLE_TABLE_AT
    ? (await nodeQuery.execute()).filter((r) => wanted.has(r.uuid))
    : await chunked(nodeUuids, (part) => nodeQuery.where('uuid', 'in', part).execute());
  const services = await byHosts([...new Set(nodes.map((n) => n.host))], db.selectFrom('nova_service')
    .select(['host', 'disabled', 'forced_down', 'last_seen_up', 'updated_at', 'created_at']).where('binary', '=', 'nova-compute'), 'host');
  const serviceByHost = new Map(services.map((row) => [row.host, row]));
  const rows = nodes.filter((n) => serviceByHost.has(n.host));
  const hosts = [...new Set(rows.map((n) => n.host))];
  const [aggregates, instances, failures] = await Promise.all([
    byHosts(hosts, db.selectFrom('nova_aggregate_host')
      .leftJoin('nova_aggregate_metadata', 'nova_aggregate_metadata.aggregate_id', 'nova_aggregate_host.aggregate_id')
      .select(['nova_aggregate_host.host', 'nova_aggregate_metadata.key', 'nova_aggregate_metadata.value'])
      .orderBy('nova_aggregate_host.aggregate_id'), 'nova_aggregate_host.host'),
    byHosts(hosts, db.selectFrom('nova_instance').select(['uuid', 'host']).where('deleted', '=', 0).where('host', 'is not', null), 'host'),
    failedBuilds(db, hosts),
  ]);
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
  const nodeByUuid = new Map(rows.map((n) => [n.uuid, n]));
  for (const uuid of nodeUuids) {
    const node = nodeByUuid.get(uuid);
    const service = node && serviceByHost.get(node.host);
    if (!node || !service) continue;
    const summary = summaries[uuid];
    // Most hosts have no aggregates and no instances: they share one empty map and set.
    const meta = metaByHost.get(node.host) ?? NO_METADATA;
    byNode.set(uuid, {
      host: node.host, nodename: node.hypervisor_hostname, nodeUuid: uuid,
      serviceDisabled: service.disabled === 1, serviceUp: serviceIsUp(service, compute, now),
      availabilityZones: meta.get('availability_zone') ?? NO_ZONES, aggregateMetadata: meta,
      instances: instancesByHost.get(node.host) ?? NO_INSTANCES,
      cpuArch: nodeArch(node),
      freeRamMb: summaryFree(summary, 'MEMORY_MB') ?? node.free_ram_mb,
      freeDiskMb: (summaryFree(summary, 'DISK_GB') ?? node.free_disk_gb) * 1024,
      freeVcpus: summaryFree(summary, 'VCPU') ?? node.vcpus * node.cpu_allocation_ratio - node.vcpus_used,
      failedBuilds: failures.get(node.host) ?? 0,
    });
  }
  return { byNode, group };
}

/**
 * Rows of `query` for the given hosts: by host list when there are few, otherwise the whole
 * query filtered here (a thousand bound parameters cost more than the rows they leave out).
 */
async function byHosts<Q extends SelectQueryBuilder<ComputeDb, any, { host: string | null }>>(
  hosts: readonly string[], query: Q, hostColumn: ReferenceExpression<ComputeDb, any>,
): Promise<Awaited<ReturnType<Q['execute']>>> {
  type Row = Awaited<ReturnType<Q['execute']>>[number];
  if (hosts.length <= WHOLE_TABLE_AT) {
    return await chunked(hosts, (part) => query.where(hostColumn, 'in', part).execute()) as Awaited<ReturnType<Q['execute']>>;
  }
  const wanted = new Set(hosts);
  return (await query.execute() as Row[]).filter((r) => r.host !== null && wanted.has(r.host)) as Awaited<ReturnType<Q['execute']>>;
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
  const since = isoSeconds(Date.now() - 86_400_000);
  const rows = await byHosts(hosts, db.selectFrom('nova_instance_action_event').select(['host', 'result', 'id'])
    .where('event', '=', BUILD_EVENT).where('result', 'is not', null).where('start_time', '>=', since).orderBy('id'), 'host');
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
  state.instances = new Set(state.instances).add(instanceUuid);
  if (group) {
    group.members.add(instanceUuid);
    group.hosts.add(state.host);
  }
}

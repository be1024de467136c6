// os-hypervisors (nova/api/openstack/compute/hypervisors.py), admin only:
//   GET /os-hypervisors[/detail]              2.33 paging (limit, marker + hypervisors_links); 2.53 uuid
//                                             ids, `hypervisor_hostname_pattern` and `with_servers`
//                                             query parameters (unknown ones refused); 2.75 `servers`
//                                             always present when asked for; 2.88 drops the resource
//                                             fields and cpu_info from details and adds `uptime`;
//   GET /os-hypervisors/{id}                  details (`with_servers` from 2.53);
//   GET /os-hypervisors/{id}/uptime           < 2.88: the host's `uptime` line from its agent;
//   GET /os-hypervisors/statistics            < 2.88: sums over nodes of enabled compute services;
//   GET /os-hypervisors/{pattern}/search      < 2.53;
//   GET /os-hypervisors/{pattern}/servers     < 2.53.
// Compute nodes whose host has no nova-compute service are left out, as Nova skips them.
import { ApiError, badRequest } from '../../core/errors.js';
import type { ComputeNodeRow } from '../db/schema.js';
import { serviceIsUp } from '../domain/availability-zones.js';
import { enforce } from '../domain/policy.js';
import { hostUptime } from '../domain/host-uptime.js';
import {
  currentWorkloads, findComputeNode, instancesOnHost, listComputeNodes, searchComputeNodes, withServices, type NodeWithService,
} from '../domain/services.js';
import type { ComputeRouter, Ctx } from './router.js';
import { isUuidLike } from './service-routes.js';
import { booleanType, lastQueryValue, nonNegativeIntegerType, strictBool, validateQuery, type Schema } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-hypervisors:${action}`;
const UUID_FOR_ID = '2.53';

const STAT_FIELDS = ['vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used', 'free_ram_mb', 'free_disk_gb',
  'current_workload', 'running_vms', 'disk_available_least'] as const;

interface View {
  readonly detail: boolean;
  readonly servers?: readonly { uuid: string; name: string }[] | undefined;
  readonly withServers?: boolean;
  readonly workload?: number;
}

function parseCpuInfo(text: string): unknown {
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    return {};
  }
}

function render(ctx: Ctx, { node, service }: NodeWithService, view: View): Record<string, unknown> {
  const uuids = ctx.mv.atLeast(UUID_FOR_ID);
  const out: Record<string, unknown> = {
    id: uuids ? node.uuid : node.id,
    hypervisor_hostname: node.hypervisor_hostname,
    state: serviceIsUp(service, ctx.deps.compute) ? 'up' : 'down',
    status: service.disabled ? 'disabled' : 'enabled',
  };
  if (view.detail) {
    out.hypervisor_type = node.hypervisor_type;
    out.hypervisor_version = node.hypervisor_version;
    out.host_ip = node.host_ip;
    out.service = { id: uuids ? service.uuid : service.id, host: node.host, disabled_reason: service.disabled_reason };
    if (!ctx.mv.atLeast('2.88')) {
      const stats: Record<string, unknown> = { ...node, current_workload: view.workload ?? 0 };
      for (const f of STAT_FIELDS) out[f] = stats[f];
      out.cpu_info = ctx.mv.atLeast('2.28') ? parseCpuInfo(node.cpu_info) : node.cpu_info;
    } else {
      // Lists leave it out (one RPC per host); show fills it in.
      out.uptime = null;
    }
  }
  if (view.servers !== undefined && view.servers.length > 0) out.servers = view.servers.map((s) => ({ name: s.name, uuid: s.uuid }));
  else if (view.withServers && ctx.mv.atLeast('2.75')) out.servers = [];
  return out;
}

const QUERY_233: Readonly<Record<string, Schema>> = { limit: nonNegativeIntegerType, marker: { type: 'string' } };
const QUERY_253: Readonly<Record<string, Schema>> = {
  ...QUERY_233,
  hypervisor_hostname_pattern: { type: 'string', minLength: 1, maxLength: 255 },
  with_servers: booleanType,
};

/** The single value of a parameter (single_param: a repeated one is refused). */
function single(ctx: Ctx, name: string): string | undefined {
  const raw = ctx.query[name];
  if (raw !== undefined && typeof raw !== 'string' && raw.length > 1) {
    throw badRequest(`Invalid input for query parameters ${name}. Value: ${JSON.stringify(raw).replace(/"/g, "'")}. ${JSON.stringify(raw).replace(/"/g, "'")} is not of type 'string'`);
  }
  return lastQueryValue(ctx.query, name);
}

function withServersParam(ctx: Ctx): boolean {
  const text = ctx.mv.atLeast(UUID_FOR_ID) ? single(ctx, 'with_servers') : undefined;
  if (text === undefined) return false;
  const value = strictBool(text);
  if (value === undefined) throw badRequest(`Invalid input for query parameters with_servers. Value: ${text}.`);
  return value;
}

const noMatch = (pattern: string): ApiError => new ApiError(404, `No hypervisor matching '${pattern.slice(0, 255)}' could be found.`);

async function views(ctx: Ctx, pairs: readonly NodeWithService[], detail: boolean, withServers: boolean): Promise<Record<string, unknown>[]> {
  const workloads = detail ? await currentWorkloads(ctx.deps.db, pairs.map((p) => p.node.host)) : new Map<string, number>();
  const out: Record<string, unknown>[] = [];
  for (const pair of pairs) {
    const servers = withServers ? await instancesOnHost(ctx.deps.db, pair.node.host) : undefined;
    out.push(render(ctx, pair, { detail, servers, withServers, workload: workloads.get(pair.node.host) ?? 0 }));
  }
  return out;
}

function list(detail: boolean) {
  return async (ctx: Ctx): Promise<unknown> => {
    const paging = ctx.mv.atLeast('2.33');
    const uuids = ctx.mv.atLeast(UUID_FOR_ID);
    if (uuids) validateQuery(ctx.query, QUERY_253, false);
    else if (paging) validateQuery(ctx.query, QUERY_233, true);
    enforce(ctx.deps.policy, ctx.caller, RULE(detail ? 'list-detail' : 'list'), {});
    const pattern = uuids ? single(ctx, 'hypervisor_hostname_pattern') : undefined;
    const withServers = withServersParam(ctx);
    const limitText = paging ? single(ctx, 'limit') : undefined;
    const marker = paging ? single(ctx, 'marker') : undefined;
    let nodes: ComputeNodeRow[];
    let limit: number | undefined;
    if (pattern !== undefined) {
      if (limitText !== undefined || marker) {
        throw badRequest('Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.');
      }
      nodes = await searchComputeNodes(ctx.deps.db, pattern);
      if (nodes.length === 0) throw noMatch(pattern);
    } else {
      limit = paging ? Math.min(ctx.deps.compute.maxLimit, limitText === undefined ? ctx.deps.compute.maxLimit : Number(limitText)) : undefined;
      let afterId: number | undefined;
      if (marker) {
        const markerNode = uuids
          ? (isUuidLike(marker) ? await findComputeNode(ctx.deps.db, { uuid: marker.toLowerCase() }) : undefined)
          : (/^\d+$/.test(marker) && Number.isSafeInteger(Number(marker)) ? await findComputeNode(ctx.deps.db, { id: Number(marker) }) : undefined);
        if (!markerNode) throw badRequest(`marker [${marker.slice(0, 255)}] not found`);
        afterId = markerNode.id;
      }
      nodes = await listComputeNodes(ctx.deps.db, limit, afterId);
    }
    const hypervisors = await views(ctx, await withServices(ctx.deps.db, nodes), detail, withServers);
    const out: Record<string, unknown> = { hypervisors };
    if (paging && pattern === undefined && limit !== undefined) {
      const last = hypervisors[hypervisors.length - 1]?.id;
      const links = ctx.links.collection(detail ? 'os-hypervisors/detail' : 'os-hypervisors', ctx.query, limit, hypervisors.length,
        last === undefined ? undefined : String(last));
      if (links.length > 0) out.hypervisors_links = links;
    }
    return out;
  };
}

/** The node and service of `id` (a uuid from 2.53, an integer before), or Nova's 404. */
async function nodeById(ctx: Ctx, id: string): Promise<NodeWithService> {
  const uuids = ctx.mv.atLeast(UUID_FOR_ID);
  if (uuids && !isUuidLike(id)) throw badRequest(`Invalid uuid ${id.slice(0, 255)}`);
  const node = uuids
    ? await findComputeNode(ctx.deps.db, { uuid: id.toLowerCase() })
    : (/^\d+$/.test(id) && Number.isSafeInteger(Number(id)) ? await findComputeNode(ctx.deps.db, { id: Number(id) }) : undefined);
  const pair = node ? (await withServices(ctx.deps.db, [node]))[0] : undefined;
  if (!pair) throw new ApiError(404, `Hypervisor with ID '${id.slice(0, 255)}' could not be found.`);
  return pair;
}

async function show(ctx: Ctx): Promise<unknown> {
  if (ctx.mv.atLeast(UUID_FOR_ID)) validateQuery(ctx.query, { with_servers: booleanType }, false);
  enforce(ctx.deps.policy, ctx.caller, RULE('show'), {});
  const withServers = withServersParam(ctx);
  const pair = await nodeById(ctx, ctx.params.id!);
  const [view] = await views(ctx, [pair], true, withServers);
  // 2.88 folds the uptime into show; a host that cannot answer shows none (Nova's show does too).
  if (ctx.mv.atLeast('2.88')) view!.uptime = await hostUptime(ctx.deps, pair.service).catch(() => null);
  return { hypervisor: view };
}

/** GET /os-hypervisors/{id}/uptime (< 2.88): the summary view with the host's `uptime` line. */
async function uptime(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('uptime'), {});
  const pair = await nodeById(ctx, ctx.params.id!);
  const line = await hostUptime(ctx.deps, pair.service);
  return { hypervisor: { ...render(ctx, pair, { detail: false }), uptime: line } };
}

async function statistics(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('statistics'), {});
  const pairs = (await withServices(ctx.deps.db, await listComputeNodes(ctx.deps.db, undefined, undefined))).filter((p) => !p.service.disabled);
  const workloads = await currentWorkloads(ctx.deps.db, pairs.map((p) => p.node.host));
  const stats: Record<string, number> = { count: pairs.length };
  for (const f of STAT_FIELDS) stats[f] = 0;
  for (const { node } of pairs) {
    const row: Record<string, unknown> = { ...node, current_workload: workloads.get(node.host) ?? 0 };
    for (const f of STAT_FIELDS) stats[f] = stats[f]! + Number(row[f] ?? 0);
  }
  return { hypervisor_statistics: stats };
}

function byPattern(action: 'search' | 'servers') {
  return async (ctx: Ctx): Promise<unknown> => {
    enforce(ctx.deps.policy, ctx.caller, RULE(action), {});
    const pattern = ctx.params.pattern!;
    const nodes = await searchComputeNodes(ctx.deps.db, pattern);
    if (nodes.length === 0) throw noMatch(pattern);
    return { hypervisors: await views(ctx, await withServices(ctx.deps.db, nodes), false, action === 'servers') };
  };
}

export function registerHypervisorRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-hypervisors', { handler: list(false) });
  router.route('GET', '/os-hypervisors/detail', { handler: list(true) });
  router.route('GET', '/os-hypervisors/statistics', { max: '2.87', handler: statistics });
  router.route('GET', '/os-hypervisors/:id', { handler: show });
  router.route('GET', '/os-hypervisors/:id/uptime', { max: '2.87', handler: uptime });
  router.route('GET', '/os-hypervisors/:pattern/search', { max: '2.52', handler: byPattern('search') });
  router.route('GET', '/os-hypervisors/:pattern/servers', { max: '2.52', handler: byPattern('servers') });
}

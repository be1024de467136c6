// The filter scheduler (nova.scheduler.filter_scheduler._schedule): for each instance of the
// request in turn, filter the candidate hosts, weigh the survivors, pick the best (randomly among
// the best host_subset_size), and consume the instance from the chosen host so that the next
// instance of the request sees it. Each instance gets [chosen, …alternates] (max_attempts - 1
// alternates from the same weighed list): the conductor claims down that list and keeps the rest
// for reschedules. Pure: the conductor loads candidates and host states and does the claiming.
import type { ComputeConfig } from '../config.js';
import { DEFAULT_FILTERS, type FilterContext, type HostFilter } from './filters/index.js';
import { consumeFromRequest, type HostState, type HostStates } from './host-state.js';
import { resourcesFromFlavor, type RequestSpec } from './request-spec.js';
import { DEFAULT_WEIGHERS, weighHosts, type HostWeigher } from './weighers/index.js';

export interface Selection {
  readonly host: string;
  readonly nodename: string;
  readonly node_uuid: string;
}

export interface SelectOptions {
  readonly filters?: readonly HostFilter[];
  readonly weighers?: readonly HostWeigher[];
  /** For host_subset_size > 1; default Math.random. */
  readonly random?: () => number;
}

export type SchedulingConfig = Pick<ComputeConfig, 'scheduler' | 'defaultAvailabilityZone'>;

/** Whether the host (as consumed so far in this request) still holds the flavor: Placement's check, in memory. */
export function fitsResources(host: HostState, resources: Readonly<Record<string, number>>): boolean {
  return (resources.MEMORY_MB ?? 0) <= host.freeRamMb && (resources.VCPU ?? 0) <= host.freeVcpus
    && (resources.DISK_GB ?? 0) * 1024 <= host.freeDiskMb;
}

/** Forced host/node (availability_zone "zone:host:node", admin only): filters are skipped, not Placement. */
function forcedHosts(spec: RequestSpec, hosts: readonly HostState[]): HostState[] | undefined {
  if (!spec.force_host && !spec.force_node) return undefined;
  return hosts.filter((h) => (!spec.force_host || h.host === spec.force_host) && (!spec.force_node || h.nodename === spec.force_node));
}

/** The hosts that pass every filter for the next instance, weighed, best first. */
export function sortedHosts(spec: RequestSpec, hosts: readonly HostState[], ctx: FilterContext, config: SchedulingConfig, options: SelectOptions = {}): HostState[] {
  const resources = resourcesFromFlavor(spec.flavor, spec.image.id === '');
  const dest = spec.requested_destination;
  const fitting = hosts.filter((h) => fitsResources(h, resources)
    && (!dest || ((!dest.host || h.host === dest.host) && (!dest.node || h.nodename === dest.node))));
  const forced = forcedHosts(spec, fitting);
  const filters = options.filters ?? DEFAULT_FILTERS;
  const passed = forced ?? fitting.filter((h) => filters.every((f) => f.hostPasses(h, ctx)));
  return weighHosts(passed, ctx, options.weighers ?? DEFAULT_WEIGHERS, config.scheduler).map((w) => w.state);
}

/**
 * Per instance of spec.instance_uuids, in order: [chosen, …alternates], or [] when no host is
 * left for it. `candidates` are Placement's provider (= compute node) uuids, in its order.
 */
export function selectHosts(spec: RequestSpec, candidates: readonly string[], hostStates: HostStates, config: SchedulingConfig, options: SelectOptions = {}): Selection[][] {
  const hosts = candidates.map((u) => hostStates.byNode.get(u)).filter((h): h is HostState => h !== undefined);
  const ctx: FilterContext = { spec, group: hostStates.group, defaultAvailabilityZone: config.defaultAvailabilityZone };
  const disk = resourcesFromFlavor(spec.flavor, spec.image.id === '').DISK_GB ?? 0;
  const random = options.random ?? Math.random;
  const out: Selection[][] = [];
  for (const uuid of spec.instance_uuids) {
    const sorted = sortedHosts(spec, hosts, ctx, config, options);
    if (sorted.length === 0) {
      out.push([]);
      continue;
    }
    const subset = Math.min(config.scheduler.hostSubsetSize, sorted.length);
    const pick = subset > 1 ? Math.floor(random() * subset) : 0;
    const chosen = sorted[pick]!;
    consumeFromRequest(chosen, spec.flavor, disk, uuid, hostStates.group);
    const alternates = sorted.filter((h) => h !== chosen).slice(0, config.scheduler.maxAttempts - 1);
    out.push([chosen, ...alternates].map((h) => ({ host: h.host, nodename: h.nodename, node_uuid: h.nodeUuid })));
  }
  return out;
}

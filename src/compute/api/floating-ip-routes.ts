// Nova's floating IP proxy (FloatingIPController in nova/api/openstack/compute/floating_ips.py over
// nova/network/neutron.py): the caller's floating IPs listed, shown, allocated from a pool and
// released (202), all in Nova's shape {id, ip, fixed_ip, instance_id, pool}; gone after 2.35 (404).
import { ApiError, badRequest, forbidden } from '../../core/errors.js';
import { isServiceApiError, type FloatingIp, type NetworkClient } from '../../core/clients/index.js';
import { enforce, ownTarget } from '../domain/policy.js';
import { choosePool, externalNetworks, poolName } from './floating-ip-pool-routes.js';
import { network, networkUnavailable, neutronErrorType, PROXY_MAX, refreshServerNetworkCache } from './network-proxy.js';
import type { ComputeRouter, Ctx } from './router.js';
import { validateBody, type Schema } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-floating-ips:${action}`;

const notFoundForId = (id: string): ApiError => new ApiError(404, `Floating IP not found for ID ${id}`, 'FloatingIpNotFound');

interface PortDetails { readonly device_id?: string; readonly device_owner?: string }

const portDetails = (fip: FloatingIp): PortDetails | null => (fip.port_details ?? null) as PortDetails | null;

/** The server a floating IP is associated with: its port's device, when that is a server. */
export function fipServer(fip: FloatingIp): string | null {
  const port = portDetails(fip);
  return fip.port_id !== null && port?.device_id && port.device_owner?.startsWith('compute:') ? port.device_id : null;
}

/** _translate_floating_ip_view, with the pools (external networks) they come from looked up. */
async function views(net: NetworkClient, fips: readonly FloatingIp[]): Promise<Record<string, unknown>[]> {
  const ids = [...new Set(fips.map((f) => f.floating_network_id))];
  const pools = new Map((ids.length === 0 ? [] : await externalNetworks(net, { id: ids })).map((n) => [n.id, poolName(n)]));
  return fips.map((f) => ({
    id: f.id,
    ip: f.floating_ip_address,
    pool: pools.get(f.floating_network_id) ?? f.floating_network_id,
    fixed_ip: f.fixed_ip_address,
    instance_id: f.port_id === null ? null : portDetails(f)?.device_id ?? null,
  }));
}

async function found(net: NetworkClient, id: string): Promise<FloatingIp> {
  const fip = await net.findFloatingIp(id).catch((err: unknown) => { throw networkUnavailable(err); });
  if (!fip) throw notFoundForId(id);
  return fip;
}

async function list(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('list'), ownTarget(ctx.caller));
  const net = network(ctx);
  try {
    return { floating_ips: await views(net, await net.listFloatingIps({ project_id: ctx.caller.projectId })) };
  } catch (err) {
    throw networkUnavailable(err);
  }
}

async function show(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('show'), ownTarget(ctx.caller));
  const net = network(ctx);
  const fip = await found(net, ctx.params.id!);
  return { floating_ip: (await views(net, [fip]).catch((err: unknown) => { throw networkUnavailable(err); }))[0] };
}

// schemas/floating_ips.py create: the body and its pool are optional.
const CREATE: Schema = { type: ['object', 'null'], properties: { pool: { type: ['string', 'null'] } } };

/** allocate_floating_ip's failures in Nova's words. */
function allocationRefused(err: unknown, pool: string | null | undefined): Error {
  const type = neutronErrorType(err);
  if (type === 'IpAddressGenerationFailure' || type === 'ExternalIpAddressExhausted') {
    return new ApiError(404, pool ? `No more floating IPs in pool ${pool}.` : 'No more floating IPs available.', 'NoMoreFloatingIps');
  }
  if (type === 'OverQuota') return forbidden(pool ? `IP allocation over quota in pool ${pool}.` : 'IP allocation over quota.', 'FloatingIpLimitExceeded');
  if (isServiceApiError(err, 400)) return badRequest(err.detail ?? err.message, 'FloatingIpBadRequest');
  return networkUnavailable(err);
}

async function create(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('create'), ownTarget(ctx.caller));
  const pool = ctx.body === undefined ? undefined : validateBody<{ pool?: string | null } | null>(ctx.body, CREATE)?.pool;
  const net = network(ctx);
  const chosen = await choosePool(net, pool).catch((err: unknown) => { throw networkUnavailable(err); });
  const fip = await net.createFloatingIp({ floating_network_id: chosen.id }).catch((err: unknown) => { throw allocationRefused(err, pool); });
  return { floating_ip: (await views(net, [fip]).catch((err: unknown) => { throw networkUnavailable(err); }))[0] };
}

/** disassociate_and_release_floating_ip: released, and the server it was on refreshed. */
async function remove(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('delete'), ownTarget(ctx.caller));
  const net = network(ctx);
  const fip = await found(net, ctx.params.id!);
  const released = await net.deleteFloatingIp(fip.id).catch((err: unknown) => {
    throw isServiceApiError(err, 403) ? forbidden() : networkUnavailable(err);
  });
  if (!released) throw notFoundForId(fip.id);
  const server = fipServer(fip);
  if (server !== null) await refreshServerNetworkCache(ctx, server);
  return undefined;
}

export function registerFloatingIpRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-floating-ips', { max: PROXY_MAX, handler: list });
  router.route('POST', '/os-floating-ips', { max: PROXY_MAX, handler: create });
  router.route('GET', '/os-floating-ips/:id', { max: PROXY_MAX, handler: show });
  router.route('DELETE', '/os-floating-ips/:id', { max: PROXY_MAX, status: 202, handler: remove });
}

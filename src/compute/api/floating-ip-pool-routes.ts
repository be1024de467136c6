// Nova's floating IP pools (nova/api/openstack/compute/floating_ip_pools.py over the Neutron
// driver): the external networks, by name (or id when unnamed); gone after 2.35 (404). The pool a
// floating IP is allocated from is looked up here too.
import { ApiError } from '../../core/errors.js';
import type { Network, NetworkClient } from '../../core/clients/index.js';
import { enforce, ownTarget } from '../domain/policy.js';
import { network, networkUnavailable, PROXY_MAX } from './network-proxy.js';
import type { ComputeRouter, Ctx } from './router.js';
import { isUuid } from './server-create-schema.js';

const poolNotFound = (): ApiError => new ApiError(404, 'Floating IP pool not found.', 'FloatingIpPoolNotFound');

/** The external networks (matching `filters`): Nova's floating IP pools. */
export function externalNetworks(net: NetworkClient, filters: Readonly<Record<string, string | readonly string[]>> = {}): Promise<Network[]> {
  return net.listNetworks({ ...filters, 'router:external': 'True' });
}

/** A pool's name as Nova shows it. */
export const poolName = (pool: Pick<Network, 'id' | 'name'>): string => pool.name || pool.id;

/**
 * _get_floating_ip_pool_id_by_name_or_id: the named pool (a UUID is an id); without a name the
 * default pool — the external network flagged is_default, else the only one.
 */
export async function choosePool(net: NetworkClient, nameOrId: string | null | undefined): Promise<Network> {
  if (nameOrId) {
    const matches = await externalNetworks(net, isUuid(nameOrId) ? { id: nameOrId } : { name: nameOrId });
    if (matches.length > 1) throw new ApiError(409, `Multiple floating IP pools matches found for name '${nameOrId}'`, 'NoUniqueMatch');
    if (matches[0] === undefined) throw poolNotFound();
    return matches[0];
  }
  const pools = await externalNetworks(net);
  const chosen = pools.find((p) => p.is_default === true) ?? (pools.length === 1 ? pools[0] : undefined);
  if (chosen === undefined) throw poolNotFound();
  return chosen;
}

async function list(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-floating-ip-pools:list', ownTarget(ctx.caller));
  const pools = await externalNetworks(network(ctx)).catch((err: unknown) => { throw networkUnavailable(err); });
  return { floating_ip_pools: pools.map((p) => ({ name: poolName(p) })) };
}

export function registerFloatingIpPoolRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-floating-ip-pools', { max: PROXY_MAX, handler: list });
}

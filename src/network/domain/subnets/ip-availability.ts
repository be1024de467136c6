// Network IP availability (neutron network_ip_availability_db): per network and per subnet, the
// number of pool addresses (total_ips) and of allocated addresses (used_ips). Four queries for
// any number of networks: networks, subnets, pools, allocation counts grouped by subnet.
import { sql } from 'kysely';
import type { NetworkDeps } from '../../api/deps.js';
import { queryValues, type Item, type Query } from '../../api/list.js';
import { countAddresses } from '../../ipam/allocator.js';
import { tryParseIp } from '../../ipam/ip-address.js';
import type { IpRange } from '../../ipam/ip-range.js';
import type { Caller } from '../caller.js';
import { networkNotFound } from '../errors.js';
import { enforce } from '../policy.js';
import { isPlausibleId } from '../networks/access.js';

async function availability(deps: NetworkDeps, networkIds: readonly string[] | undefined, ipVersions: readonly number[]): Promise<Item[]> {
  let nq = deps.db.selectFrom('net_network').select(['id', 'name', 'project_id']);
  if (networkIds !== undefined) nq = nq.where('id', 'in', networkIds);
  const networks = await nq.execute();
  if (networks.length === 0) return [];
  let sq = deps.db.selectFrom('net_subnet').select(['id', 'name', 'cidr', 'ip_version', 'network_id', 'created_at', 'created_seq']);
  if (networkIds !== undefined) sq = sq.where('network_id', 'in', networkIds);
  if (ipVersions.length > 0) sq = sq.where('ip_version', 'in', ipVersions);
  const subnets = await sq.execute();
  const ids = subnets.map((s) => s.id);
  const [pools, used] = ids.length === 0 ? [[], []] : await Promise.all([
    deps.db.selectFrom('net_subnet_pool_range').select(['subnet_id', 'first_ip', 'last_ip']).where('subnet_id', 'in', ids).execute(),
    deps.db.selectFrom('net_ip_allocation').select(['subnet_id', sql<number>`count(*)`.as('n')]).where('subnet_id', 'in', ids).groupBy('subnet_id').execute(),
  ]);
  const usedBy = new Map(used.map((u) => [u.subnet_id, Number(u.n)]));
  const rangesBy = new Map<string, IpRange[]>();
  for (const p of pools) {
    const first = tryParseIp(p.first_ip);
    const last = tryParseIp(p.last_ip);
    if (first && last) rangesBy.set(p.subnet_id, [...(rangesBy.get(p.subnet_id) ?? []), { version: first.version, first: first.value, last: last.value }]);
  }
  return networks.map((n) => {
    const mine = subnets.filter((s) => s.network_id === n.id).map((s) => ({
      subnet_id: s.id, subnet_name: s.name, cidr: s.cidr, ip_version: s.ip_version,
      // A BigInt: an IPv6 /64 pool is beyond exact doubles; the route writes it as exact digits.
      total_ips: countAddresses(rangesBy.get(s.id) ?? []), used_ips: usedBy.get(s.id) ?? 0,
    }));
    return {
      network_id: n.id, network_name: n.name, project_id: n.project_id, tenant_id: n.project_id,
      total_ips: mine.reduce((t, s) => t + s.total_ips, 0n), used_ips: mine.reduce((t, s) => t + s.used_ips, 0),
      subnet_ip_availability: mine,
    };
  });
}

export async function listIpAvailability(deps: NetworkDeps, caller: Caller, query: Query): Promise<Item[]> {
  enforce(deps, caller, 'get_network_ip_availability', {});
  const ids = queryValues(query, 'network_id');
  const versions = queryValues(query, 'ip_version').map(Number).filter((v) => v === 4 || v === 6);
  const items = await availability(deps, ids.length > 0 ? ids.filter(isPlausibleId) : undefined, versions);
  // ip_version narrows the subnets, not the networks; the generic filter must not see it.
  return items;
}

export async function showIpAvailability(deps: NetworkDeps, caller: Caller, id: string): Promise<Item> {
  enforce(deps, caller, 'get_network_ip_availability', {});
  if (!isPlausibleId(id)) throw networkNotFound(String(id));
  const [item] = await availability(deps, [id], []);
  if (item === undefined) throw networkNotFound(id);
  return item;
}

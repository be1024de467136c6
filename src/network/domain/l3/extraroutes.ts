// Extra routes on a router (extraroute, extraroute-atomic). A nexthop must sit on a subnet the
// router is connected to and must not be one of the router's own addresses.
import type { RouterRouteRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import type { NimbusConfig } from '../../../core/config.js';
import { cidrContains, tryParseCidrLoose } from '../../ipam/cidr.js';
import { parseIp } from '../../ipam/ip-address.js';
import { invalidRoutes, routesExhausted } from './errors.js';
import { loadSubnets, routerPorts } from './lookup.js';
import type { Route } from './router-attrs.js';

/** Neutron's former max_routes; overridable as the `router_route` quota. */
const DEFAULT_MAX_ROUTES = 30;

function pyRoutes(routes: readonly Route[]): string {
  return `[${routes.map((r) => `{'destination': '${r.destination}', 'nexthop': '${r.nexthop}'}`).join(', ')}]`;
}

export async function loadRoutes(trx: NetworkTx, routerId: string): Promise<Route[]> {
  const rows = await trx.selectFrom('net_router_route').select(['destination', 'nexthop']).where('router_id', '=', routerId).execute();
  return rows.map((r) => ({ destination: r.destination, nexthop: r.nexthop }));
}

async function validateRoutes(trx: NetworkTx, config: NimbusConfig, routerId: string, routes: readonly Route[]): Promise<void> {
  const max = config.network.quotas.router_route ?? DEFAULT_MAX_ROUTES;
  if (max >= 0 && routes.length > max) throw routesExhausted(routerId, max);
  if (routes.length === 0) return;
  const ports = await routerPorts(trx, routerId);
  const ips = ports.flatMap((p) => p.ips);
  const subnets = await loadSubnets(trx, ips.map((ip) => ip.subnet_id));
  const cidrs = [...subnets.values()].flatMap((s) => {
    const parsed = tryParseCidrLoose(s.cidr);
    return parsed === undefined ? [] : [parsed.cidr];
  });
  const own = new Set(ips.map((ip) => ip.ip_address));
  for (const route of routes) {
    const hop = parseIp(route.nexthop);
    if (!cidrs.some((c) => cidrContains(c, hop))) throw invalidRoutes(pyRoutes(routes), 'the nexthop is not connected with router');
    if (own.has(route.nexthop)) throw invalidRoutes(pyRoutes(routes), 'the nexthop is used by router');
  }
}

/** Replaces a router's routes with `routes` (validated against its current ports). */
export async function replaceRoutes(trx: NetworkTx, config: NimbusConfig, routerId: string, routes: readonly Route[]): Promise<void> {
  await validateRoutes(trx, config, routerId, routes);
  const old = await loadRoutes(trx, routerId);
  const key = (r: Route): string => `${r.destination}|${r.nexthop}`;
  const wanted = new Set(routes.map(key));
  const existing = new Set(old.map(key));
  for (const r of old) {
    if (!wanted.has(key(r))) {
      await trx.deleteFrom('net_router_route').where('router_id', '=', routerId)
        .where('destination', '=', r.destination).where('nexthop', '=', r.nexthop).execute();
    }
  }
  const added: RouterRouteRow[] = routes.filter((r) => !existing.has(key(r))).map((r) => ({ router_id: routerId, ...r }));
  if (added.length > 0) await trx.insertInto('net_router_route').values(added).execute();
}

/** extraroute-atomic add: the union, exact duplicates merged. */
export function mergeRoutes(old: readonly Route[], add: readonly Route[]): Route[] {
  const seen = new Set<string>();
  return [...old, ...add].filter((r) => {
    const k = `${r.destination}|${r.nexthop}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** extraroute-atomic remove: routes not present are simply ignored. */
export function subtractRoutes(old: readonly Route[], remove: readonly Route[]): Route[] {
  const gone = new Set(remove.map((r) => `${r.destination}|${r.nexthop}`));
  return old.filter((r) => !gone.has(`${r.destination}|${r.nexthop}`));
}

/** A subnet a route's nexthop lives on cannot lose its router interface. */
export async function routeUsesSubnet(trx: NetworkTx, routerId: string, cidr: string): Promise<boolean> {
  const parsed = tryParseCidrLoose(cidr);
  if (parsed === undefined) return false;
  const routes = await loadRoutes(trx, routerId);
  return routes.some((r) => cidrContains(parsed.cidr, parseIp(r.nexthop)));
}

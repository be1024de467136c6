// Routers as Neutron's API shows them, rendered in batches: the gateway ports' fixed IPs, the
// extra routes and the tags of a whole list come from one query each. `distributed` and `ha`
// are only shown to callers that pass get_router:distributed / get_router:ha (admins).
import type { Kysely } from 'kysely';
import type { IpAllocationRow, NetworkDb, RouterRow, RouterRouteRow } from '../../db/schema.js';
import type { NetworkDeps } from '../../api/deps.js';
import type { Caller } from '../caller.js';
import { allowed } from '../policy.js';
import { renderStandard } from '../standard-attrs.js';
import { loadTags } from '../tags.js';

const MAX_IN_LIST = 500;

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list === undefined) out.set(k, [row]);
    else list.push(row);
  }
  return out;
}

export function routerTarget(row: Pick<RouterRow, 'project_id'>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, project_id: row.project_id, tenant_id: row.project_id };
}

export function parseJsonList(text: string): string[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

interface RouterChildren {
  gwNetwork: Map<string, string>;
  gwIps: Map<string, IpAllocationRow[]>;
  routes: Map<string, RouterRouteRow[]>;
  tags: Map<string, string[]>;
}

async function loadChildren(db: Kysely<NetworkDb>, rows: readonly RouterRow[]): Promise<RouterChildren> {
  const ids = rows.map((r) => r.id);
  const gwIds = rows.map((r) => r.gw_port_id).filter((id): id is string => id !== null);
  const [gwPorts, gwIps, routes, tags] = await Promise.all([
    gwIds.length === 0 ? [] : db.selectFrom('net_port').select(['id', 'network_id']).where('id', 'in', gwIds).execute(),
    gwIds.length === 0 ? [] : db.selectFrom('net_ip_allocation').selectAll().where('port_id', 'in', gwIds).execute(),
    ids.length === 0 ? [] : (ids.length > MAX_IN_LIST
      ? db.selectFrom('net_router_route').selectAll().execute()
      : db.selectFrom('net_router_route').selectAll().where('router_id', 'in', ids).execute()),
    loadTags(db, 'routers', ids),
  ]);
  return {
    gwNetwork: new Map(gwPorts.map((p) => [p.id, p.network_id])),
    gwIps: groupBy(gwIps, (r) => r.port_id),
    routes: groupBy(routes, (r) => r.router_id),
    tags,
  };
}

function renderOne(row: RouterRow, c: RouterChildren, hidden: ReadonlySet<string>): Record<string, unknown> {
  const gwNetwork = row.gw_port_id === null ? undefined : c.gwNetwork.get(row.gw_port_id);
  const router: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    tenant_id: row.project_id,
    project_id: row.project_id,
    admin_state_up: row.admin_state_up === 1,
    status: row.status,
    external_gateway_info: gwNetwork === undefined ? null : {
      network_id: gwNetwork,
      enable_snat: row.enable_snat === 1,
      external_fixed_ips: (c.gwIps.get(row.gw_port_id!) ?? []).map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
    },
    routes: (c.routes.get(row.id) ?? []).map((r) => ({ destination: r.destination, nexthop: r.nexthop })),
    distributed: row.distributed === 1,
    ha: row.ha === 1,
    availability_zone_hints: parseJsonList(row.availability_zone_hints),
    // No L3 agent scheduling: a router is hosted nowhere in particular.
    availability_zones: [],
    flavor_id: row.flavor_id,
    ...renderStandard(row),
    tags: c.tags.get(row.id) ?? [],
  };
  for (const attr of hidden) delete router[attr];
  return router;
}

/** Attributes this caller may not read on this router. */
function hiddenFor(deps: NetworkDeps, caller: Caller, row: RouterRow): Set<string> {
  const hidden = new Set<string>();
  const target = routerTarget(row);
  for (const attr of ['distributed', 'ha']) if (!allowed(deps, caller, `get_router:${attr}`, target)) hidden.add(attr);
  return hidden;
}

export async function renderRouters(deps: NetworkDeps, caller: Caller, rows: readonly RouterRow[], db: Kysely<NetworkDb> = deps.db): Promise<Record<string, unknown>[]> {
  const children = await loadChildren(db, rows);
  return rows.map((row) => renderOne(row, children, hiddenFor(deps, caller, row)));
}

export async function renderRouter(deps: NetworkDeps, caller: Caller, row: RouterRow, db: Kysely<NetworkDb> = deps.db): Promise<Record<string, unknown>> {
  const [router] = await renderRouters(deps, caller, [row], db);
  return router!;
}

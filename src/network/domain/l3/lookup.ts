// Loading the rows L3 operations work on, with Neutron's visibility rules: a router the caller
// may not get is a 404 (RouterNotFound), never a 403, so its existence does not leak.
import type { Kysely } from 'kysely';
import type { IpAllocationRow, NetworkDb, PortRow, RouterRow, SubnetRow } from '../../db/schema.js';
import type { NetworkDeps } from '../../api/deps.js';
import { isPlausibleId } from '../networks/access.js';
import type { Caller } from '../caller.js';
import { portNotFound, routerNotFound, subnetNotFound } from '../errors.js';
import { allowed } from '../policy.js';
import { routerTarget } from './router-render.js';

export const ROUTER_INTERFACE = 'network:router_interface';
export const ROUTER_GATEWAY = 'network:router_gateway';
export const FLOATINGIP_OWNER = 'network:floatingip';

export async function findRouter(db: Kysely<NetworkDb>, id: string): Promise<RouterRow | undefined> {
  if (!isPlausibleId(id)) return undefined;
  return db.selectFrom('net_router').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The router if it exists and the caller passes get_router; else 404. */
export async function loadRouterForCaller(deps: NetworkDeps, caller: Caller, id: string, db: Kysely<NetworkDb> = deps.db): Promise<RouterRow> {
  const row = await findRouter(db, id);
  if (row === undefined || !allowed(deps, caller, 'get_router', routerTarget(row))) throw routerNotFound(String(id));
  return row;
}

export async function findSubnet(db: Kysely<NetworkDb>, id: string): Promise<SubnetRow | undefined> {
  if (!isPlausibleId(id)) return undefined;
  return db.selectFrom('net_subnet').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function loadSubnet(db: Kysely<NetworkDb>, id: string): Promise<SubnetRow> {
  const row = await findSubnet(db, id);
  if (row === undefined) throw subnetNotFound(String(id));
  return row;
}

export async function loadSubnets(db: Kysely<NetworkDb>, ids: readonly string[]): Promise<Map<string, SubnetRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('net_subnet').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function findPort(db: Kysely<NetworkDb>, id: string): Promise<PortRow | undefined> {
  if (!isPlausibleId(id)) return undefined;
  return db.selectFrom('net_port').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * A port the caller names (router interface by port, floating IP association, port
 * forwarding): visible to admins, its owner and the owner of its network (get_port's
 * admin_owner_or_network_owner); anything else is a 404 PortNotFound.
 */
export async function loadPortForCaller(db: Kysely<NetworkDb>, caller: Caller, id: string): Promise<PortRow> {
  const port = await findPort(db, id);
  if (port === undefined) throw portNotFound(String(id));
  if (caller.isAdmin || port.project_id === caller.projectId) return port;
  const network = await db.selectFrom('net_network').select('project_id').where('id', '=', port.network_id).executeTakeFirst();
  if (network?.project_id !== caller.projectId) throw portNotFound(port.id);
  return port;
}

export async function portIps(db: Kysely<NetworkDb>, portId: string): Promise<IpAllocationRow[]> {
  return db.selectFrom('net_ip_allocation').selectAll().where('port_id', '=', portId).execute();
}

/** Every port a router owns (gateway and interfaces) with its fixed IPs. */
export async function routerPorts(db: Kysely<NetworkDb>, routerId: string): Promise<{ port: PortRow; portType: string; ips: IpAllocationRow[] }[]> {
  const links = await db.selectFrom('net_router_port').selectAll().where('router_id', '=', routerId).execute();
  if (links.length === 0) return [];
  const ids = links.map((l) => l.port_id);
  const [ports, ips] = await Promise.all([
    db.selectFrom('net_port').selectAll().where('id', 'in', ids).execute(),
    db.selectFrom('net_ip_allocation').selectAll().where('port_id', 'in', ids).execute(),
  ]);
  const byId = new Map(ports.map((p) => [p.id, p]));
  return links.flatMap((link) => {
    const port = byId.get(link.port_id);
    return port === undefined ? [] : [{ port, portType: link.port_type, ips: ips.filter((ip) => ip.port_id === port.id) }];
  });
}

// get_metadata_port: who sent a request to 169.254.169.254. The metadata proxy knows the
// source address and either the network (DHCP namespace) or the router (router namespace) it
// came through; the answer is the instance (device_id) and project owning that address.
import type { NetworkDeps } from '../api/deps.js';
import { ROUTER_INTERFACE_OWNERS } from '../domain/ipam/owners.js';
import type { MetadataLookup } from '../agents/common/state.js';

export async function getMetadataPort(deps: NetworkDeps, args: { ipAddress: string; routerId?: string; networkId?: string }): Promise<MetadataLookup | null> {
  const db = deps.db;
  const networkIds = new Set<string>();
  if (args.networkId !== undefined) networkIds.add(args.networkId);
  if (args.routerId !== undefined) {
    const rows = await db.selectFrom('net_router_port').innerJoin('net_port', 'net_port.id', 'net_router_port.port_id')
      .select('net_port.network_id').where('net_router_port.router_id', '=', args.routerId)
      .where('net_router_port.port_type', 'in', [...ROUTER_INTERFACE_OWNERS]).execute();
    for (const r of rows) networkIds.add(r.network_id);
  }
  if (networkIds.size === 0) return null;
  const port = await db.selectFrom('net_ip_allocation').innerJoin('net_port', 'net_port.id', 'net_ip_allocation.port_id')
    .select(['net_port.id', 'net_port.device_id', 'net_port.project_id'])
    .where('net_ip_allocation.ip_address', '=', args.ipAddress)
    .where('net_ip_allocation.network_id', 'in', [...networkIds])
    .where('net_port.device_owner', 'not like', 'network:%')
    .orderBy('net_port.id').executeTakeFirst();
  return port === undefined ? null : { instance_id: port.device_id, project_id: port.project_id, port_id: port.id };
}

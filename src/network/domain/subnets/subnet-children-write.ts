// Writing a subnet's child rows (pools, DNS servers in order, host routes, service types).
// Updates replace a whole list at once, as Neutron's PUT semantics for these attributes do.
import type { NetworkTx } from '../../db/transaction.js';

export async function writePools(trx: NetworkTx, subnetId: string, pools: readonly { start: string; end: string }[], replace = false): Promise<void> {
  if (replace) await trx.deleteFrom('net_subnet_pool_range').where('subnet_id', '=', subnetId).execute();
  if (pools.length === 0) return;
  await trx.insertInto('net_subnet_pool_range')
    .values(pools.map((p, position) => ({ subnet_id: subnetId, first_ip: p.start, last_ip: p.end, position }))).execute();
}

export async function writeDns(trx: NetworkTx, subnetId: string, servers: readonly string[], replace = false): Promise<void> {
  if (replace) await trx.deleteFrom('net_subnet_dns').where('subnet_id', '=', subnetId).execute();
  if (servers.length === 0) return;
  await trx.insertInto('net_subnet_dns').values(servers.map((address, position) => ({ subnet_id: subnetId, address, position }))).execute();
}

export async function writeRoutes(trx: NetworkTx, subnetId: string, routes: readonly { destination: string; nexthop: string }[], replace = false): Promise<void> {
  if (replace) await trx.deleteFrom('net_subnet_route').where('subnet_id', '=', subnetId).execute();
  if (routes.length === 0) return;
  await trx.insertInto('net_subnet_route').values(routes.map((r) => ({ subnet_id: subnetId, ...r }))).execute();
}

export async function writeServiceTypes(trx: NetworkTx, subnetId: string, types: readonly string[], replace = false): Promise<void> {
  if (replace) await trx.deleteFrom('net_subnet_service_type').where('subnet_id', '=', subnetId).execute();
  if (types.length === 0) return;
  await trx.insertInto('net_subnet_service_type').values(types.map((service_type) => ({ subnet_id: subnetId, service_type }))).execute();
}

/** Everything hanging off a subnet, before the subnet row itself goes. */
export async function deleteSubnetChildren(trx: NetworkTx, subnetId: string): Promise<void> {
  await trx.deleteFrom('net_subnet_pool_range').where('subnet_id', '=', subnetId).execute();
  await trx.deleteFrom('net_subnet_dns').where('subnet_id', '=', subnetId).execute();
  await trx.deleteFrom('net_subnet_route').where('subnet_id', '=', subnetId).execute();
  await trx.deleteFrom('net_subnet_service_type').where('subnet_id', '=', subnetId).execute();
  await trx.deleteFrom('net_tag').where('resource_type', '=', 'subnets').where('resource_id', '=', subnetId).execute();
}

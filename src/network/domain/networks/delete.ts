// DELETE /v2.0/networks/<id>: refused while ports other than the network's own (DHCP) exist;
// otherwise the network's own ports, subnets, segments (releasing their ids), RBAC grants and
// tags go with it, in one transaction.
import type { NetworkDeps } from '../../api/deps.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { inUse, networkNotFound } from '../errors.js';
import { notify } from '../notify.js';
import { checkRevision } from '../standard-attrs.js';
import { renderNetworks } from './render.js';
import { networkForChange } from './update.js';

/** neutron's AUTO_DELETE_PORT_OWNERS: ports that exist only because the network does. */
export const AUTO_DELETE_PORT_OWNERS = ['network:dhcp', 'network:distributed'];

export function networkInUse(id: string): ReturnType<typeof inUse> {
  return inUse('NetworkInUse', `Unable to complete operation on network ${id}. There are one or more ports still in use on the network.`);
}

async function deletePorts(trx: NetworkTx, portIds: readonly string[]): Promise<void> {
  if (portIds.length === 0) return;
  await trx.deleteFrom('net_ip_allocation').where('port_id', 'in', portIds).execute();
  await trx.deleteFrom('net_port_security_group').where('port_id', 'in', portIds).execute();
  await trx.deleteFrom('net_port_address_pair').where('port_id', 'in', portIds).execute();
  await trx.deleteFrom('net_port_dhcp_option').where('port_id', 'in', portIds).execute();
  await trx.deleteFrom('net_tag').where('resource_type', '=', 'ports').where('resource_id', 'in', portIds).execute();
  await trx.deleteFrom('net_port').where('id', 'in', portIds).execute();
}

async function deleteSubnets(trx: NetworkTx, networkId: string): Promise<void> {
  const ids = (await trx.selectFrom('net_subnet').select('id').where('network_id', '=', networkId).execute()).map((r) => r.id);
  if (ids.length === 0) return;
  await trx.deleteFrom('net_ip_allocation').where('subnet_id', 'in', ids).execute();
  await trx.deleteFrom('net_subnet_pool_range').where('subnet_id', 'in', ids).execute();
  await trx.deleteFrom('net_subnet_dns').where('subnet_id', 'in', ids).execute();
  await trx.deleteFrom('net_subnet_route').where('subnet_id', 'in', ids).execute();
  await trx.deleteFrom('net_subnet_service_type').where('subnet_id', 'in', ids).execute();
  await trx.deleteFrom('net_tag').where('resource_type', '=', 'subnets').where('resource_id', 'in', ids).execute();
  await trx.deleteFrom('net_subnet').where('id', 'in', ids).execute();
}

/**
 * Neutron's external-net BEFORE_DELETE hook: floating IPs on the network that are not
 * associated with anything go with it. Returns their (now ownerless) port ids.
 */
async function deleteDisassociatedFloatingIps(trx: NetworkTx, networkId: string): Promise<Set<string>> {
  const fips = await trx.selectFrom('net_floating_ip').select(['id', 'floating_port_id']).where('floating_network_id', '=', networkId)
    .where('fixed_port_id', 'is', null).where('router_id', 'is', null).execute();
  if (fips.length === 0) return new Set();
  const ids = fips.map((f) => f.id);
  const forwarded = await trx.selectFrom('net_port_forwarding').select('floatingip_id').where('floatingip_id', 'in', ids).execute();
  const free = fips.filter((f) => !forwarded.some((pf) => pf.floatingip_id === f.id));
  if (free.length === 0) return new Set();
  await trx.deleteFrom('net_tag').where('resource_type', '=', 'floatingips').where('resource_id', 'in', free.map((f) => f.id)).execute();
  await trx.deleteFrom('net_floating_ip').where('id', 'in', free.map((f) => f.id)).execute();
  return new Set(free.map((f) => f.floating_port_id));
}

export async function deleteNetwork(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  const { row } = await networkForChange(deps, caller, id, 'delete_network');
  const [item] = await renderNetworks(deps, caller, [row]);
  await inTransaction(deps.db, async (trx) => {
    const current = await trx.selectFrom('net_network').select(['id', 'revision_number']).where('id', '=', id).executeTakeFirst();
    if (current === undefined) throw networkNotFound(id);
    checkRevision(ifMatch, current.revision_number);
    const freeFips = await deleteDisassociatedFloatingIps(trx, id);
    const ports = await trx.selectFrom('net_port').select(['id', 'device_owner']).where('network_id', '=', id).execute();
    if (ports.some((p) => !AUTO_DELETE_PORT_OWNERS.includes(p.device_owner) && !freeFips.has(p.id))) throw networkInUse(id);
    await deps.ml2.precommit(trx, { resource: 'network', event: 'delete', current: { ...row } });
    await deletePorts(trx, ports.map((p) => p.id));
    await deleteSubnets(trx, id);
    await deps.ml2.releaseSegments(trx, id);
    await trx.deleteFrom('net_rbac_policy').where('object_type', '=', 'network').where('object_id', '=', id).execute();
    await trx.deleteFrom('net_tag').where('resource_type', '=', 'networks').where('resource_id', '=', id).execute();
    await trx.deleteFrom('net_network').where('id', '=', id).execute();
  });
  notify(deps, 'network.delete.end', { network_id: id, network: item });
  void deps.ml2.postcommit({ resource: 'network', event: 'delete', current: item ?? { ...row } });
}

// Which router serves a floating IP association (Neutron's get_router_for_floatingip): one with
// an interface on the fixed IP's subnet and its gateway on the floating IP's network, preferring
// the router that holds the subnet's gateway address.
import type { FloatingIpRow, PortRow, SubnetRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import { canonicalIp, tryParseIp } from '../../ipam/ip-address.js';
import type { Caller } from '../caller.js';
import { badRequest, externalGatewayNotFound, floatingIpPortAlreadyAssociated } from './errors.js';
import { loadPortForCaller, loadSubnet, portIps, ROUTER_INTERFACE } from './lookup.js';

export interface Association { fixed_port_id: string | null; fixed_ip_address: string | null; router_id: string | null }

export const NO_ASSOCIATION: Association = { fixed_port_id: null, fixed_ip_address: null, router_id: null };

export async function routerForFloatingIp(trx: NetworkTx, port: PortRow, subnet: SubnetRow, externalNetworkId: string): Promise<string> {
  const candidates = await trx.selectFrom('net_router_port as rp')
    .innerJoin('net_ip_allocation as ia', 'ia.port_id', 'rp.port_id')
    .innerJoin('net_router as r', 'r.id', 'rp.router_id')
    .innerJoin('net_port as gw', 'gw.id', 'r.gw_port_id')
    .select(['rp.router_id as router_id', 'ia.ip_address as ip_address'])
    .where('rp.port_type', '=', ROUTER_INTERFACE)
    .where('ia.subnet_id', '=', subnet.id)
    .where('gw.network_id', '=', externalNetworkId)
    .orderBy('rp.router_id')
    .execute();
  const gateway = subnet.gateway_ip === null ? undefined : canonicalIp(subnet.gateway_ip);
  const preferred = candidates.find((c) => c.ip_address === gateway) ?? candidates[0];
  if (preferred === undefined) throw externalGatewayNotFound(externalNetworkId, subnet.id, port.id);
  return preferred.router_id;
}

/** The port's fixed IPv4 address to use (Neutron's _internal_fip_assoc_data). */
export async function pickFixedIp(trx: NetworkTx, port: PortRow, wanted: string | null | undefined, resource = 'floatingip'): Promise<{ ip: string; subnetId: string }> {
  const ips = await portIps(trx, port.id);
  if (wanted !== undefined && wanted !== null) {
    if (tryParseIp(wanted)?.version !== 4) throw badRequest(resource, `Cannot process floating IP association with ${wanted}, since that is not an IPv4 address`);
    const ip = canonicalIp(wanted);
    const match = ips.find((a) => a.ip_address === ip);
    if (match === undefined) throw badRequest(resource, `Port ${port.id} does not have fixed ip ${wanted}`);
    return { ip, subnetId: match.subnet_id };
  }
  const v4 = ips.filter((a) => tryParseIp(a.ip_address)?.version === 4);
  if (v4.length === 0) throw badRequest(resource, `Cannot add floating IP to port ${port.id} that has no fixed IPv4 addresses`);
  if (v4.length > 1) throw badRequest(resource, `Port ${port.id} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP`);
  return { ip: v4[0]!.ip_address, subnetId: v4[0]!.subnet_id };
}

type FipIdentity = Pick<FloatingIpRow, 'id' | 'project_id' | 'floating_network_id' | 'floating_ip_address'>;

/** Validates `port_id` (+ `fixed_ip_address`) for `fip` and finds the router; null disassociates. */
export async function resolveAssociation(trx: NetworkTx, caller: Caller, fip: FipIdentity, portId: string | null, fixedIp: string | null | undefined): Promise<Association> {
  if (portId === null) {
    if (fixedIp !== undefined && fixedIp !== null) throw badRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id');
    return NO_ASSOCIATION;
  }
  const port = await loadPortForCaller(trx, caller, portId);
  if (port.project_id !== fip.project_id && !caller.isAdmin) {
    throw badRequest('floatingip', `Cannot process floating IP association with Port ${port.id}, since that port is owned by a different tenant`);
  }
  const { ip, subnetId } = await pickFixedIp(trx, port, fixedIp);
  const subnet = await loadSubnet(trx, subnetId);
  const routerId = await routerForFloatingIp(trx, port, subnet, fip.floating_network_id);
  const taken = await trx.selectFrom('net_floating_ip').select('id')
    .where('fixed_port_id', '=', port.id).where('fixed_ip_address', '=', ip)
    .where('floating_network_id', '=', fip.floating_network_id).where('id', '!=', fip.id).executeTakeFirst();
  if (taken !== undefined) {
    throw floatingIpPortAlreadyAssociated({ floatingIpAddress: fip.floating_ip_address, fipId: fip.id, portId: port.id, fixedIp: ip, networkId: fip.floating_network_id });
  }
  return { fixed_port_id: port.id, fixed_ip_address: ip, router_id: routerId };
}

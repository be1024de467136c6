// remove_router_interface: by port (the whole port goes) or by subnet (the port goes, or only
// that subnet's address when the port also carries other IPv6 prefixes). An interface that a
// floating IP, a port forwarding or an extra route depends on stays (409).
import { ApiError } from '../../../core/errors.js';
import type { NetworkDeps } from '../../api/deps.js';
import type { PortRow, SubnetRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import { cidrContains, tryParseCidrLoose } from '../../ipam/cidr.js';
import { tryParseIp } from '../../ipam/ip-address.js';
import type { Caller } from '../caller.js';
import { notify } from '../notify.js';
import { enforce } from '../policy.js';
import { bumped } from '../standard-attrs.js';
import { deletePortInTx } from '../ports/internal.js';
import { routerInterfaceInUseByFloatingIp, routerInterfaceInUseByRoute, routerInterfaceNotFound, routerInterfaceNotFoundForSubnet } from './errors.js';
import { routeUsesSubnet } from './extraroutes.js';
import { interfaceInfo, parseInterfaceInfo, type InterfaceInfo } from './interfaces.js';
import { findPort, loadRouterForCaller, loadSubnet, loadSubnets, portIps, routerPorts, ROUTER_INTERFACE } from './lookup.js';
import { routerTarget } from './router-render.js';

/** Neutron's _confirm_router_interface_not_in_use (with the extraroute and port forwarding checks). */
async function confirmNotInUse(trx: NetworkTx, routerId: string, subnet: SubnetRow): Promise<void> {
  const cidr = tryParseCidrLoose(subnet.cidr)?.cidr;
  if (cidr === undefined) return;
  const inSubnet = (ip: string | null): boolean => {
    const parsed = ip === null ? undefined : tryParseIp(ip);
    return parsed !== undefined && cidrContains(cidr, parsed);
  };
  const fips = await trx.selectFrom('net_floating_ip').select(['id', 'fixed_ip_address']).where('router_id', '=', routerId).execute();
  if (fips.some((f) => inSubnet(f.fixed_ip_address))) throw routerInterfaceInUseByFloatingIp(routerId, subnet.id);
  if (fips.length > 0) {
    const pfs = await trx.selectFrom('net_port_forwarding').select('internal_ip_address').where('floatingip_id', 'in', fips.map((f) => f.id)).execute();
    if (pfs.some((pf) => inSubnet(pf.internal_ip_address))) throw routerInterfaceInUseByFloatingIp(routerId, subnet.id);
  }
  if (await routeUsesSubnet(trx, routerId, subnet.cidr)) throw routerInterfaceInUseByRoute(routerId, subnet.id);
}

async function removeByPort(trx: NetworkTx, deps: NetworkDeps, routerId: string, portId: string, subnetId: string | undefined): Promise<{ port: PortRow; subnets: SubnetRow[] }> {
  const link = await trx.selectFrom('net_router_port').select('port_id')
    .where('router_id', '=', routerId).where('port_id', '=', portId).where('port_type', '=', ROUTER_INTERFACE).executeTakeFirst();
  const port = link === undefined ? undefined : await findPort(trx, portId);
  if (port === undefined) throw routerInterfaceNotFound(routerId, portId);
  const ips = await portIps(trx, port.id);
  const subnetIds = ips.map((ip) => ip.subnet_id);
  if (subnetId !== undefined && !subnetIds.includes(subnetId)) {
    throw new ApiError(400, `Subnet on port ${port.id} does not match the requested subnet ${subnetId}.`, 'SubnetMismatchForPort');
  }
  const subnetMap = await loadSubnets(trx, subnetIds);
  const subnets = subnetIds.map((id) => subnetMap.get(id)).filter((s): s is SubnetRow => s !== undefined);
  for (const subnet of subnets) await confirmNotInUse(trx, routerId, subnet);
  await deletePortInTx(trx, deps, port.id);
  return { port, subnets };
}

async function removeBySubnet(trx: NetworkTx, deps: NetworkDeps, routerId: string, subnetId: string): Promise<{ port: PortRow; subnets: SubnetRow[] }> {
  const subnet = await loadSubnet(trx, subnetId);
  await confirmNotInUse(trx, routerId, subnet);
  const candidates = (await routerPorts(trx, routerId)).filter((p) => p.portType === ROUTER_INTERFACE && p.ips.some((ip) => ip.subnet_id === subnet.id));
  const found = candidates[0];
  if (found === undefined) throw routerInterfaceNotFoundForSubnet(routerId, subnetId);
  if (new Set(found.ips.map((ip) => ip.subnet_id)).size > 1) {
    // A multi-prefix IPv6 port keeps its other addresses.
    await trx.deleteFrom('net_ip_allocation').where('port_id', '=', found.port.id).where('subnet_id', '=', subnet.id).execute();
    await trx.updateTable('net_port').set(bumped(found.port)).where('id', '=', found.port.id).execute();
  } else {
    await deletePortInTx(trx, deps, found.port.id);
  }
  return { port: found.port, subnets: [subnet] };
}

export async function removeRouterInterface(deps: NetworkDeps, caller: Caller, routerId: string, body: unknown): Promise<InterfaceInfo> {
  const result = await inTransaction(deps.db, async (trx) => {
    const router = await loadRouterForCaller(deps, caller, routerId, trx);
    enforce(deps, caller, 'remove_router_interface', routerTarget(router));
    const { portId, subnetId } = parseInterfaceInfo(body, true);
    const removed = portId !== undefined
      ? await removeByPort(trx, deps, router.id, portId, subnetId)
      : await removeBySubnet(trx, deps, router.id, subnetId!);
    await trx.updateTable('net_router').set(bumped(router)).where('id', '=', router.id).execute();
    return interfaceInfo(router.id, removed.port, removed.subnets, 'first');
  });
  notify(deps, 'router.interface.delete', { router_interface: result });
  return result;
}


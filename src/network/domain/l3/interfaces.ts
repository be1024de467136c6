// add_router_interface / remove_router_interface (Neutron's L3_NAT_dbonly_mixin): a router
// joins a subnet through a port holding the subnet's gateway IP, or through an existing
// unused port. One router may not reach two overlapping subnets.
import type { NetworkDeps } from '../../api/deps.js';
import { isUuid, pyRepr } from '../../api/validators.js';
import type { IpAllocationRow, PortRow, RouterRow, SubnetRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import { cidrsOverlap, tryParseCidrLoose } from '../../ipam/cidr.js';
import { canonicalIp, tryParseIp } from '../../ipam/ip-address.js';
import type { Caller } from '../caller.js';
import { loadNetworkForUse } from '../networks/access.js';
import { notify } from '../notify.js';
import { subnetNotFound } from '../errors.js';
import { enforce } from '../policy.js';
import { bumped } from '../standard-attrs.js';
import { createPortInTx } from '../ports/internal.js';
import { badRequest, portInUse } from './errors.js';
import { loadPortForCaller, loadRouterForCaller, loadSubnet, loadSubnets, portIps, routerPorts, ROUTER_INTERFACE } from './lookup.js';
import { routerTarget } from './router-render.js';

export interface InterfaceInfo {
  id: string;
  tenant_id: string;
  project_id: string;
  port_id: string;
  network_id: string;
  subnet_id: string;
  subnet_ids: string[];
}

/** Neutron's _validate_interface_info: which of port_id / subnet_id the body names. */
export function parseInterfaceInfo(body: unknown, forRemoval: boolean): { portId?: string; subnetId?: string } {
  const info = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const hasPort = info.port_id !== undefined;
  const hasSubnet = info.subnet_id !== undefined;
  if (!hasPort && !hasSubnet) throw badRequest('router', 'Either subnet_id or port_id must be specified');
  for (const key of ['port_id', 'subnet_id'] as const) {
    if (info[key] !== undefined && !isUuid(info[key])) throw badRequest('router', `${pyRepr(info[key])} is not a valid UUID`);
  }
  if (!forRemoval && hasPort && hasSubnet) throw badRequest('router', 'Cannot specify both subnet-id and port-id');
  return { ...(hasPort ? { portId: info.port_id as string } : {}), ...(hasSubnet ? { subnetId: info.subnet_id as string } : {}) };
}

/** Neutron names the last subnet when adding and the first when removing. */
export function interfaceInfo(routerId: string, port: PortRow, subnets: readonly SubnetRow[], pick: 'first' | 'last' = 'last'): InterfaceInfo {
  const ids = subnets.map((s) => s.id);
  return {
    id: routerId, tenant_id: port.project_id, project_id: port.project_id, port_id: port.id,
    network_id: port.network_id, subnet_id: (pick === 'last' ? ids[ids.length - 1] : ids[0]) ?? '', subnet_ids: ids,
  };
}

/** Neutron's _check_for_dup_router_subnets against the router's interface subnets. */
async function checkSubnetsFree(trx: NetworkTx, router: RouterRow, newSubnets: readonly SubnetRow[]): Promise<void> {
  const newIds = new Set(newSubnets.map((s) => s.id));
  const existing = (await routerPorts(trx, router.id)).filter((p) => p.portType === ROUTER_INTERFACE);
  const ips = existing.flatMap((p) => p.ips);
  for (const ip of ips) if (newIds.has(ip.subnet_id)) throw badRequest('router', `Router already has a port on subnet ${ip.subnet_id}`);
  const attached = await loadSubnets(trx, ips.map((ip) => ip.subnet_id));
  for (const sub of attached.values()) {
    const a = tryParseCidrLoose(sub.cidr);
    for (const s of newSubnets) {
      const b = tryParseCidrLoose(s.cidr);
      if (a !== undefined && b !== undefined && cidrsOverlap(a.cidr, b.cidr)) {
        throw badRequest('router', `Cidr ${s.cidr} of subnet ${s.id} overlaps with cidr ${sub.cidr} of subnet ${sub.id}`);
      }
    }
  }
}

async function addByPort(trx: NetworkTx, caller: Caller, router: RouterRow, portId: string): Promise<{ port: PortRow; subnets: SubnetRow[] }> {
  const port = await loadPortForCaller(trx, caller, portId);
  if (port.device_id !== '') throw portInUse(port.network_id, port.id, port.device_id);
  const ips = await portIps(trx, port.id);
  if (ips.length === 0) throw badRequest('router', 'Router port must have at least one fixed IP');
  const isV6 = (list: readonly IpAllocationRow[]): boolean => list.some((ip) => tryParseIp(ip.ip_address)?.version === 6);
  if (isV6(ips)) {
    for (const other of (await routerPorts(trx, router.id)).filter((p) => p.portType === ROUTER_INTERFACE)) {
      if (other.port.network_id === port.network_id && isV6(other.ips)) {
        throw badRequest('router', `Cannot have multiple router ports with the same network id if both contain IPv6 subnets. Existing port ${other.port.id} has IPv6 subnet(s) and network id ${other.port.network_id}`);
      }
    }
  }
  const subnetMap = await loadSubnets(trx, ips.map((ip) => ip.subnet_id));
  const subnets = ips.map((ip) => subnetMap.get(ip.subnet_id)).filter((s): s is SubnetRow => s !== undefined);
  await checkSubnetsFree(trx, router, subnets);
  if (subnets.filter((s) => s.ip_version === 4).length > 1) throw badRequest('router', 'Cannot have multiple IPv4 subnets on router port');
  const updated: PortRow = { ...port, device_id: router.id, device_owner: ROUTER_INTERFACE, ...bumped(port) };
  await trx.updateTable('net_port').set({ device_id: router.id, device_owner: ROUTER_INTERFACE, ...bumped(port) }).where('id', '=', port.id).execute();
  await trx.insertInto('net_router_port').values({ router_id: router.id, port_id: port.id, port_type: ROUTER_INTERFACE }).execute();
  return { port: updated, subnets };
}

async function addBySubnet(trx: NetworkTx, deps: NetworkDeps, caller: Caller, router: RouterRow, subnetId: string): Promise<{ port: PortRow; subnets: SubnetRow[] }> {
  const subnet = await loadSubnet(trx, subnetId);
  // A subnet on a network the caller cannot see does not exist for them.
  await loadNetworkForUse(trx, caller, subnet.network_id).catch(() => { throw subnetNotFound(subnet.id); });
  if (subnet.gateway_ip === null) throw badRequest('router', 'Subnet for router interface must have a gateway IP');
  if (subnet.project_id !== caller.projectId && !caller.isAdmin) {
    throw badRequest('router', `Cannot add interface to router because subnet ${subnet.id} is not owned by project making the request`);
  }
  if (subnet.ip_version === 6 && subnet.ipv6_ra_mode === null && subnet.ipv6_address_mode !== null) {
    throw badRequest('router', `IPv6 subnet ${subnet.id} configured to receive RAs from an external router cannot be added to Neutron Router.`);
  }
  await checkSubnetsFree(trx, router, [subnet]);
  const gatewayIp = canonicalIp(subnet.gateway_ip);
  if (subnet.ip_version === 6) {
    // Another IPv6 prefix of a network the router already has a port on joins that port.
    const existing = (await routerPorts(trx, router.id)).find((p) => p.portType === ROUTER_INTERFACE
      && p.port.network_id === subnet.network_id && p.ips.some((ip) => tryParseIp(ip.ip_address)?.version === 6));
    if (existing !== undefined) {
      await trx.insertInto('net_ip_allocation').values({ port_id: existing.port.id, subnet_id: subnet.id, network_id: subnet.network_id, ip_address: gatewayIp }).execute();
      await trx.updateTable('net_port').set(bumped(existing.port)).where('id', '=', existing.port.id).execute();
      return { port: existing.port, subnets: [subnet] };
    }
  }
  const created = await createPortInTx(trx, deps, {
    projectId: router.project_id, networkId: subnet.network_id, deviceOwner: ROUTER_INTERFACE, deviceId: router.id,
    fixedIps: [{ subnet_id: subnet.id, ip_address: gatewayIp }], adminStateUp: true, name: '',
  });
  await trx.insertInto('net_router_port').values({ router_id: router.id, port_id: created.row.id, port_type: ROUTER_INTERFACE }).execute();
  return { port: created.row, subnets: [subnet] };
}

export async function addRouterInterface(deps: NetworkDeps, caller: Caller, routerId: string, body: unknown): Promise<InterfaceInfo> {
  const result = await inTransaction(deps.db, async (trx) => {
    const router = await loadRouterForCaller(deps, caller, routerId, trx);
    enforce(deps, caller, 'add_router_interface', routerTarget(router));
    const { portId, subnetId } = parseInterfaceInfo(body, false);
    const added = portId !== undefined ? await addByPort(trx, caller, router, portId) : await addBySubnet(trx, deps, caller, router, subnetId!);
    await trx.updateTable('net_router').set(bumped(router)).where('id', '=', router.id).execute();
    return interfaceInfo(router.id, added.port, added.subnets);
  });
  notify(deps, 'router.interface.create', { router_interface: result });
  return result;
}

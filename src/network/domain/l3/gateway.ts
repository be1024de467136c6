// A router's external gateway (Neutron's _update_router_gw_info with ext-gw-mode): a port
// with device_owner network:router_gateway on a router:external network. The port has no
// project, as in Neutron, so it is hidden from tenants and never counts against a quota.
import type { NetworkDeps } from '../../api/deps.js';
import type { RouterRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import { canonicalIp } from '../../ipam/ip-address.js';
import type { Caller } from '../caller.js';
import { loadNetworkForUse } from '../networks/access.js';
import { createPortInTx, deletePortInTx } from '../ports/internal.js';
import { badRequest, gatewayInUseByFloatingIp } from './errors.js';
import { portIps, ROUTER_GATEWAY } from './lookup.js';
import type { ExternalFixedIp, GatewayInfo } from './router-attrs.js';

/** The router columns a gateway change sets. */
export interface GatewayColumns { gw_port_id: string | null; enable_snat: number }

async function validateGateway(trx: NetworkTx, caller: Caller, info: GatewayInfo): Promise<void> {
  const network = await loadNetworkForUse(trx, caller, info.network_id);
  if (network.is_external !== 1) throw badRequest('router', `Network ${network.id} is not an external network`);
  const extIps = info.external_fixed_ips ?? [];
  if (extIps.length === 0) return;
  const gateways = await trx.selectFrom('net_subnet').select('gateway_ip').where('network_id', '=', network.id).execute();
  for (const { gateway_ip: gw } of gateways) {
    if (gw === null) continue;
    for (const ip of extIps) {
      if (ip.ip_address !== undefined && ip.ip_address === canonicalIp(gw)) throw badRequest('router', `External IP ${ip.ip_address} is the same as the gateway IP`);
    }
  }
}

/** Did the client ask for other subnets or addresses than the gateway port has? */
function fixedIpsChanged(current: readonly { subnet_id: string; ip_address: string }[], wanted: readonly ExternalFixedIp[]): boolean {
  if (wanted.length === 0) return false;
  const sameSet = (a: Set<string>, b: Set<string>): boolean => a.size === b.size && [...a].every((x) => b.has(x));
  const subnets = new Set(current.map((ip) => ip.subnet_id));
  const wantedSubnets = new Set(wanted.flatMap((ip) => (ip.subnet_id === undefined ? [] : [ip.subnet_id])));
  if (!sameSet(subnets, wantedSubnets)) return true;
  const addresses = new Set(current.map((ip) => ip.ip_address));
  const wantedAddresses = new Set(wanted.flatMap((ip) => (ip.ip_address === undefined ? [] : [ip.ip_address])));
  return !sameSet(addresses, wantedAddresses);
}

async function removeGatewayPort(trx: NetworkTx, deps: NetworkDeps, router: RouterRow, portId: string): Promise<void> {
  await trx.updateTable('net_router').set({ gw_port_id: null }).where('id', '=', router.id).execute();
  await deletePortInTx(trx, deps, portId);
}

async function createGatewayPort(trx: NetworkTx, deps: NetworkDeps, router: RouterRow, info: GatewayInfo): Promise<string> {
  const extIps = info.external_fixed_ips ?? [];
  const created = await createPortInTx(trx, deps, {
    projectId: '',
    networkId: info.network_id,
    deviceOwner: ROUTER_GATEWAY,
    deviceId: router.id,
    ...(extIps.length > 0 ? { fixedIps: extIps.map((ip) => ({ ...ip })) } : {}),
    adminStateUp: true,
    name: '',
  });
  await trx.insertInto('net_router_port').values({ router_id: router.id, port_id: created.row.id, port_type: ROUTER_GATEWAY }).execute();
  return created.row.id;
}

/**
 * Sets, moves or clears the gateway of `router` inside `trx`; returns the new gw_port_id and
 * enable_snat (enable_snat defaults to true whenever it is not given, as in Neutron).
 */
export async function updateGateway(trx: NetworkTx, deps: NetworkDeps, caller: Caller, router: RouterRow, info: GatewayInfo | null): Promise<GatewayColumns> {
  if (info !== null) await validateGateway(trx, caller, info);
  const enableSnat = (info?.enable_snat ?? true) ? 1 : 0;
  const currentId = router.gw_port_id;
  const current = currentId === null ? undefined
    : await trx.selectFrom('net_port').select(['id', 'network_id']).where('id', '=', currentId).executeTakeFirst();

  if (current !== undefined && info !== null && current.network_id === info.network_id) {
    const extIps = info.external_fixed_ips ?? [];
    if (!fixedIpsChanged(await portIps(trx, current.id), extIps)) return { gw_port_id: current.id, enable_snat: enableSnat };
    // Same network, other addresses: replace the port (its addresses are released first).
    await removeGatewayPort(trx, deps, router, current.id);
    return { gw_port_id: await createGatewayPort(trx, deps, router, info), enable_snat: enableSnat };
  }
  if (current !== undefined) {
    const fip = await trx.selectFrom('net_floating_ip').select('id').where('router_id', '=', router.id).executeTakeFirst();
    if (fip !== undefined) throw gatewayInUseByFloatingIp(router.id, current.network_id);
    await removeGatewayPort(trx, deps, router, current.id);
  }
  if (info === null) return { gw_port_id: null, enable_snat: enableSnat };
  return { gw_port_id: await createGatewayPort(trx, deps, router, info), enable_snat: enableSnat };
}

/** Deletes the gateway port of a router being deleted (the FIP check is the caller's). */
export async function dropGateway(trx: NetworkTx, deps: NetworkDeps, router: RouterRow): Promise<void> {
  if (router.gw_port_id !== null) await removeGatewayPort(trx, deps, router, router.gw_port_id);
}

// os-networks (nova/api/openstack/compute/networks.py over the Neutron driver), deprecated and
// gone after 2.35 (404): GET /os-networks and /os-networks/{id}, the networks the caller sees in
// the network service (asked with the caller's own token) in nova-network's shape — label is the
// name, the IPv4 and IPv6 subnets fill cidr/gateway/dns, and admins see the extra fields
// (network_dict's admin_fields) with what Neutron knows of them, the rest null.
import { ApiError } from '../../core/errors.js';
import { isServiceApiError, type Network, type NetworkClient, type Subnet } from '../../core/clients/index.js';
import { enforce, ownTarget } from '../domain/policy.js';
import type { ComputeRouter, Ctx } from './router.js';

const MAX = '2.35';
const networkNotFound = (id: string): ApiError => new ApiError(404, `Network ${id} could not be found.`, 'NetworkNotFound');
const unavailable = (err: unknown): ApiError =>
  new ApiError(503, `The network service is unavailable: ${err instanceof Error ? err.message : String(err)}`);

/** IPv4 prefix length → dotted netmask ("24" → 255.255.255.0). */
export function netmaskOf(cidr: string): string | null {
  const bits = Number(cidr.split('/')[1]);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return null;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 255).join('.');
}

/** networks.py network_dict, from a Neutron network and its subnets. */
export function networkView(net: Network, subnets: readonly Subnet[], admin: boolean): Record<string, unknown> {
  const v4 = subnets.find((s) => s.ip_version === 4);
  const v6 = subnets.find((s) => s.ip_version === 6);
  const view: Record<string, unknown> = {
    id: net.id, label: net.name,
    cidr: v4?.cidr ?? null, netmask: v4 ? netmaskOf(v4.cidr) : null, gateway: v4?.gateway_ip ?? null, broadcast: null,
    dns1: v4?.dns_nameservers[0] ?? null, dns2: v4?.dns_nameservers[1] ?? null,
    cidr_v6: v6?.cidr ?? null, gateway_v6: v6?.gateway_ip ?? null, netmask_v6: v6 ? (v6.cidr.split('/')[1] ?? null) : null,
  };
  if (!admin) return view;
  return {
    ...view,
    created_at: net.created_at ?? null, updated_at: net.updated_at ?? null, deleted_at: null, deleted: false, injected: null,
    bridge: null, vlan: net['provider:segmentation_id'] ?? null, vpn_public_address: null, vpn_public_port: null, vpn_private_address: null,
    dhcp_start: v4?.allocation_pools[0]?.start ?? null, project_id: net.project_id, host: null, bridge_interface: null, multi_host: null,
    priority: null, rxtx_base: null, mtu: net.mtu ?? null, dhcp_server: null, enable_dhcp: v4?.enable_dhcp ?? v6?.enable_dhcp ?? null, share_address: null,
  };
}

function network(ctx: Ctx): NetworkClient {
  return ctx.deps.clients.networkAs(ctx.caller.auth.token, ctx.caller.requestId);
}

async function listNetworks(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-networks:list', ownTarget(ctx.caller));
  const net = network(ctx);
  try {
    const [networks, subnets] = await Promise.all([net.listNetworks(), net.listSubnets()]);
    return { networks: networks.map((n) => networkView(n, subnets.filter((s) => s.network_id === n.id), ctx.caller.isAdmin)) };
  } catch (err) {
    throw err instanceof ApiError ? err : unavailable(err);
  }
}

async function showNetwork(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-networks:view', ownTarget(ctx.caller));
  const id = ctx.params.network_id!;
  const net = network(ctx);
  try {
    const found = await net.showNetwork(id);
    return { network: networkView(found, await net.listSubnetsByNetwork(found.id), ctx.caller.isAdmin) };
  } catch (err) {
    if (isServiceApiError(err, 404) || isServiceApiError(err, 400)) throw networkNotFound(id.slice(0, 255));
    throw err instanceof ApiError ? err : unavailable(err);
  }
}

export function registerNetworkRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-networks', { max: MAX, handler: listNetworks });
  router.route('GET', '/os-networks/:network_id', { max: MAX, handler: showNetwork });
}

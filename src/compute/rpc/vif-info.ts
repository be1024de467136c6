// Neutron ports → the info cache's VifInfo[] (Nova's _build_network_info_model): per port its
// network (name as the `addresses` label, MTU), the subnets of its fixed IPs (cidr, version,
// gateway, DNS) and the floating IPs on each fixed IP. The one mapping both sides use: the
// compute agent when it plugs a server's ports, the API's info cache refresh on network-changed
// events (domain/servers/vif-info.ts). No database here: the agent never opens it.
import type { FloatingIp, Network, NetworkClient, Port, Subnet } from '../../core/clients/index.js';
import { tapName, type VifInfo } from './compute-protocol.js';

type VifSubnet = VifInfo['network']['subnets'][number];

/** Caches lookups across the ports of one mapping (ports often share a network and subnet). */
class Lookups {
  private readonly networks = new Map<string, Promise<Network>>();
  private readonly subnets = new Map<string, Promise<Subnet>>();
  constructor(private readonly network: NetworkClient) {}

  networkOf(id: string): Promise<Network> {
    let p = this.networks.get(id);
    if (!p) this.networks.set(id, (p = this.network.showNetwork(id)));
    return p;
  }

  subnetOf(id: string): Promise<Subnet> {
    let p = this.subnets.get(id);
    if (!p) this.subnets.set(id, (p = this.network.showSubnet(id)));
    return p;
  }
}

/** One port as a VifInfo; `preserveOnDelete`: the user's port (unbound, not deleted, with the server). */
async function vifOf(lookups: Lookups, network: NetworkClient, port: Port, preserveOnDelete: boolean): Promise<VifInfo> {
  const net = await lookups.networkOf(port.network_id);
  // Floating IPs are decoration: a server must not lose its cache because that listing failed.
  const floating = await network.listFloatingIps({ port_id: port.id }).catch(() => [] as FloatingIp[]);
  const bySubnet = new Map<string, string[]>();
  for (const ip of port.fixed_ips) bySubnet.set(ip.subnet_id, [...(bySubnet.get(ip.subnet_id) ?? []), ip.ip_address]);
  const subnets: VifSubnet[] = [];
  for (const [subnetId, addresses] of bySubnet) {
    const subnet = await lookups.subnetOf(subnetId);
    subnets.push({
      cidr: subnet.cidr, version: subnet.ip_version, gateway: subnet.gateway_ip, dns: [...subnet.dns_nameservers],
      ips: addresses.map((address) => ({
        address, type: 'fixed' as const,
        floating_ips: floating.filter((f) => f.fixed_ip_address === address).map((f) => ({ address: f.floating_ip_address })),
      })),
    });
  }
  return {
    id: port.id, address: port.mac_address, type: 'bridge', devname: tapName(port.id), active: port.status === 'ACTIVE',
    preserve_on_delete: preserveOnDelete,
    network: { id: net.id, label: net.name, mtu: net.mtu ?? null, subnets },
  };
}

/** VifInfo[] of ports, in the given order; `preserve(portId)` says whether a port is the user's. */
export async function vifInfoOfPorts(network: NetworkClient, ports: readonly Port[], preserve: (portId: string) => boolean): Promise<VifInfo[]> {
  const lookups = new Lookups(network);
  const out: VifInfo[] = [];
  for (const port of ports) out.push(await vifOf(lookups, network, port, preserve(port.id)));
  return out;
}

/**
 * nova_instance_info_cache.network_info as stored: the NICs, or [] for no row, bad JSON, or a
 * value that is not a list (entries without a network are left out).
 */
export function parseNetworkInfo(json: string | null | undefined): VifInfo[] {
  if (json === null || json === undefined || json === '') return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((v): v is VifInfo => typeof v === 'object' && v !== null && typeof (v as VifInfo).network === 'object') : [];
  } catch {
    return [];
  }
}

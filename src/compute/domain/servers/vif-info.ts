// Neutron ports → the info cache's VifInfo[] (Nova's _build_network_info_model): per port its
// network (name as the `addresses` label, MTU), the subnets of its fixed IPs (cidr, version,
// gateway, DNS) and the floating IPs on each fixed IP. Used by the API's info cache refresh on
// network-changed events; the compute agent builds the same shape when it plugs ports.
import type { Kysely } from 'kysely';
import type { FloatingIp, Network, NetworkClient, Port, Subnet } from '../../../core/clients/index.js';
import type { ComputeDb } from '../../db/schema.js';
import { nowIso } from '../../db/transaction.js';
import { tapName, type VifInfo } from '../../rpc/compute-protocol.js';

type VifSubnet = VifInfo['network']['subnets'][number];

/** Caches lookups across the ports of one refresh (ports often share a network and subnet). */
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
 * Rebuilds a server's info cache from the ports bound to it (device_id = server), keeping the
 * cache's port order and its preserve_on_delete flags; ports new to the cache count as the
 * user's (never deleted by us). Returns what was written.
 */
export async function refreshInfoCache(db: Kysely<ComputeDb>, network: NetworkClient, instanceUuid: string): Promise<VifInfo[]> {
  const cached = await db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', instanceUuid).executeTakeFirst();
  let previous: VifInfo[] = [];
  try {
    const parsed: unknown = cached ? JSON.parse(cached.network_info) : [];
    if (Array.isArray(parsed)) previous = parsed as VifInfo[];
  } catch {
    previous = [];
  }
  const order = new Map(previous.map((v, i) => [v.id, i]));
  const ports = [...await network.listPortsByDevice(instanceUuid)]
    .sort((a, b) => (order.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.id) ?? Number.MAX_SAFE_INTEGER));
  const vifs = await vifInfoOfPorts(network, ports, (id) => previous.find((v) => v.id === id)?.preserve_on_delete ?? true);
  const networkInfo = JSON.stringify(vifs);
  const now = nowIso();
  // A deleted server keeps no cache worth updating.
  const alive = await db.selectFrom('nova_instance').select('uuid').where('uuid', '=', instanceUuid).where('deleted', '=', 0).executeTakeFirst();
  if (!alive) return vifs;
  const updated = await db.updateTable('nova_instance_info_cache').set({ network_info: networkInfo, updated_at: now })
    .where('instance_uuid', '=', instanceUuid).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    await db.insertInto('nova_instance_info_cache').values({ instance_uuid: instanceUuid, network_info: networkInfo, updated_at: now }).execute();
  }
  return vifs;
}

// What the metadata API tells a guest about its network, from the instance's info cache
// (nova_instance_info_cache.network_info: the VifInfo[] the compute agent stored): network_data.json
// as nova.virt.netutils.get_network_metadata builds it, and the EC2 addresses as
// get_ec2_ip_info lists them. Security groups (EC2 security-groups) are the names the server was
// created with (its request spec), since the cache does not carry them.
import type { Kysely } from 'kysely';
import { hostMask } from '../../network/ipam/cidr.js';
import { formatIp, maxValue } from '../../network/ipam/ip-address.js';
import type { ComputeDb, InstanceRow } from '../db/schema.js';
import type { VifInfo } from '../rpc/compute-protocol.js';
import type { MetadataNetworkInfo } from './content.js';
import { parseNetworkInfo } from '../rpc/vif-info.js';

type Subnet = VifInfo['network']['subnets'][number];

/** The dotted (v4) or compressed (v6) netmask of a CIDR's prefix, as netaddr prints it. */
export function netmaskOf(cidr: string, version: 4 | 6): string {
  const prefix = Number(cidr.split('/')[1] ?? (version === 4 ? 32 : 128));
  return formatIp({ version, value: maxValue(version) ^ hostMask(version, prefix) });
}

function dnsServices(subnet: Subnet): { type: 'dns'; address: string }[] {
  return subnet.dns.map((address) => ({ type: 'dns', address }));
}

/** _get_nets: a static network for the port's first address in `subnet`, default route via its gateway. */
function netEntry(vif: VifInfo, subnet: Subnet, num: number, linkId: string): Record<string, unknown> {
  const any = subnet.version === 4 ? '0.0.0.0' : '::';
  return {
    id: `network${num}`,
    type: `ipv${subnet.version}`,
    link: linkId,
    ip_address: subnet.ips[0]!.address,
    netmask: netmaskOf(subnet.cidr, subnet.version),
    routes: subnet.gateway ? [{ network: any, netmask: any, gateway: subnet.gateway }] : [],
    network_id: vif.network.id,
    services: dnsServices(subnet),
  };
}

/** get_network_metadata: one link per VIF with subnets, its first v4 and first v6 subnet as networks. */
export function networkMetadata(vifs: readonly VifInfo[]): Pick<MetadataNetworkInfo, 'links' | 'networks' | 'services'> {
  const links: Record<string, unknown>[] = [];
  const networks: Record<string, unknown>[] = [];
  const services: { type: 'dns'; address: string }[] = [];
  let ifc = -1;
  for (const vif of vifs) {
    if (vif.network.subnets.length === 0) continue;
    ifc += 1;
    const linkId = vif.devname || `interface${ifc}`;
    links.push({ id: linkId, vif_id: vif.id, type: vif.type, mtu: vif.network.mtu, ethernet_mac_address: vif.address });
    for (const version of [4, 6] as const) {
      const subnet = vif.network.subnets.find((s) => s.version === version);
      if (subnet === undefined || subnet.ips.length === 0) continue;
      networks.push(netEntry(vif, subnet, networks.length, linkId));
      for (const dns of dnsServices(subnet)) if (!services.some((s) => s.address === dns.address)) services.push(dns);
    }
  }
  return { links, networks, services };
}

/** get_ec2_ip_info: fixed IPv4 addresses in VIF order, and every floating address. */
export function ec2Addresses(vifs: readonly VifInfo[]): Pick<MetadataNetworkInfo, 'fixedIps' | 'floatingIps'> {
  const fixedIps: string[] = [];
  const floatingIps: string[] = [];
  for (const vif of vifs) {
    for (const subnet of vif.network.subnets) {
      for (const ip of subnet.ips) {
        if (subnet.version === 4) fixedIps.push(ip.address);
        for (const fip of ip.floating_ips) floatingIps.push(fip.address);
      }
    }
  }
  return { fixedIps, floatingIps };
}

/** The cache's VIFs; a missing or unreadable cache is no network (the guest falls back to DHCP). */
function securityGroups(specText: string | undefined): string[] {
  if (specText === undefined) return [];
  try {
    const groups = (JSON.parse(specText) as { security_groups?: unknown }).security_groups;
    return Array.isArray(groups) ? [...new Set(groups.filter((g): g is string => typeof g === 'string'))] : [];
  } catch {
    return [];
  }
}

/** The metadata service's `networkInfo` option, reading the instance's info cache and request spec. */
export function networkInfoFromCache(db: Kysely<ComputeDb>): (instance: InstanceRow) => Promise<MetadataNetworkInfo> {
  return async (instance) => {
    const [cache, spec] = await Promise.all([
      db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', instance.uuid).executeTakeFirst(),
      db.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', instance.uuid).executeTakeFirst(),
    ]);
    const vifs = parseNetworkInfo(cache?.network_info);
    return { ...networkMetadata(vifs), ...ec2Addresses(vifs), securityGroups: securityGroups(spec?.spec) };
  };
}

// A server's `addresses` from its info cache, as nova/api/openstack/common.py
// get_networks_for_instance_from_nw_info + views/addresses.py build it: NICs grouped by network
// label in the cache's order; per label the fixed IPs of every subnet first, then the floating IPs
// attached to them, each tagged with its NIC's MAC. The server view shows the extended fields
// (OS-EXT-IPS:type, OS-EXT-IPS-MAC:mac_addr); GET /servers/{id}/ips shows only version and addr.
import type { VifInfo } from '../rpc/compute-protocol.js';
import type { Microversion } from './microversion.js';

export interface AddressView {
  readonly version: 4 | 6;
  readonly addr: string;
  readonly 'OS-EXT-IPS:type'?: 'fixed' | 'floating';
  readonly 'OS-EXT-IPS-MAC:mac_addr'?: string;
}

export type AddressesView = Record<string, AddressView[]>;

interface LabelledIp {
  readonly address: string;
  readonly type: 'fixed' | 'floating';
  readonly mac: string;
}

/** netaddr's version of an address: anything with a colon is IPv6. */
const ipVersion = (address: string): 4 | 6 => (address.includes(':') ? 6 : 4);

/** Nova's get_networks_for_instance_from_nw_info: label → {ips, floating_ips}, insertion-ordered. */
function networksOf(networkInfo: readonly VifInfo[]): Map<string, { ips: LabelledIp[]; floating: LabelledIp[] }> {
  const networks = new Map<string, { ips: LabelledIp[]; floating: LabelledIp[] }>();
  for (const vif of networkInfo) {
    const label = vif.network.label;
    let entry = networks.get(label);
    if (entry === undefined) {
      entry = { ips: [], floating: [] };
      networks.set(label, entry);
    }
    for (const subnet of vif.network.subnets) {
      for (const ip of subnet.ips) entry.ips.push({ address: ip.address, type: 'fixed', mac: vif.address });
    }
    for (const subnet of vif.network.subnets) {
      for (const ip of subnet.ips) {
        for (const fip of ip.floating_ips) entry.floating.push({ address: fip.address, type: 'floating', mac: vif.address });
      }
    }
  }
  return networks;
}

function render(ip: LabelledIp, extended: boolean): AddressView {
  const base = { version: ipVersion(ip.address), addr: ip.address };
  return extended ? { ...base, 'OS-EXT-IPS:type': ip.type, 'OS-EXT-IPS-MAC:mac_addr': ip.mac } : base;
}

/**
 * `addresses` for the server view (extended, the default) or for GET /servers/{id}/ips
 * (`extended: false`). The microversion is accepted for callers' symmetry: no version changes it.
 */
export function renderAddresses(networkInfo: readonly VifInfo[], _mv?: Microversion, options: { extended?: boolean } = {}): AddressesView {
  const extended = options.extended ?? true;
  const out: AddressesView = {};
  for (const [label, net] of networksOf(networkInfo)) {
    out[label] = [...net.ips, ...net.floating].map((ip) => render(ip, extended));
  }
  return out;
}


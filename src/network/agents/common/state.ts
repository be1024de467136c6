// What agents fetch over RPC: the desired state of one host, computed by the network server from
// its database (agents never open the database). Every sync returns the WHOLE state for the
// host, so an agent can diff it against the kernel and apply only the difference (level-triggered).
// Topic `q-plugin`; methods and their arguments are in rpc-api.ts.

/** Neutron's agent types, exactly as `openstack network agent list` shows them. */
export const AGENT_TYPES = {
  l2: 'Linux bridge agent',
  dhcp: 'DHCP agent',
  l3: 'L3 agent',
  metadata: 'Metadata agent',
} as const;

export const AGENT_BINARIES = {
  l2: 'neutron-linuxbridge-agent',
  dhcp: 'neutron-dhcp-agent',
  l3: 'neutron-l3-agent',
  metadata: 'neutron-metadata-agent',
} as const;

export interface FixedIp { readonly subnet_id: string; readonly ip_address: string }

export interface SubnetInfo {
  readonly id: string;
  readonly network_id: string;
  readonly ip_version: 4 | 6;
  readonly cidr: string;
  readonly gateway_ip: string | null;
  readonly enable_dhcp: boolean;
  readonly dns_nameservers: readonly string[];
  readonly host_routes: readonly { readonly destination: string; readonly nexthop: string }[];
  readonly ipv6_ra_mode: string | null;
  readonly ipv6_address_mode: string | null;
}

export interface NetworkInfo {
  readonly id: string;
  readonly project_id: string;
  readonly mtu: number;
  /** The segment this host wires (first segment of the network). */
  readonly network_type: string;
  readonly physical_network: string | null;
  readonly segmentation_id: number | null;
  readonly admin_state_up: boolean;
}

export interface SecurityGroupRule {
  readonly id: string;
  readonly direction: 'ingress' | 'egress';
  readonly ethertype: 'IPv4' | 'IPv6';
  /** Normalised: null (any), or a lower-case name (tcp, udp, icmp, ipv6-icmp, …), or a number as text. */
  readonly protocol: string | null;
  readonly port_range_min: number | null;
  readonly port_range_max: number | null;
  readonly remote_ip_prefix: string | null;
  readonly remote_group_id: string | null;
  readonly remote_address_group_id: string | null;
}

export interface SecurityGroupInfo {
  readonly id: string;
  readonly stateful: boolean;
  readonly rules: readonly SecurityGroupRule[];
}

/** A port bound to this host: its device there is `tap<id[:11]>` (portDeviceName). */
export interface BoundPort {
  readonly id: string;
  readonly network_id: string;
  readonly mac_address: string;
  readonly admin_state_up: boolean;
  readonly status: string;
  readonly device_owner: string;
  readonly device_id: string;
  readonly fixed_ips: readonly FixedIp[];
  readonly port_security_enabled: boolean;
  readonly security_group_ids: readonly string[];
  readonly allowed_address_pairs: readonly { readonly ip_address: string; readonly mac_address: string }[];
}

/** A port on another host, for l2population (unicast FDB + ARP entries instead of flooding). */
export interface RemotePortEntry {
  readonly mac_address: string;
  readonly ip_addresses: readonly string[];
}

export interface FdbHost {
  readonly host: string;
  readonly tunnel_ip: string;
  readonly ports: readonly RemotePortEntry[];
}

/** get_l2_state: what the Linux-bridge agent of `host` must wire. */
export interface L2State {
  readonly host: string;
  /** Networks with at least one port bound to this host. */
  readonly networks: readonly NetworkInfo[];
  readonly ports: readonly BoundPort[];
  /** Every group referenced by a port above (by id). */
  readonly security_groups: Readonly<Record<string, SecurityGroupInfo>>;
  /** Members of every group used as a remote group: group id → addresses (IPv4 and IPv6 mixed, plain, no prefix). */
  readonly security_group_members: Readonly<Record<string, readonly string[]>>;
  /** Address groups used by rules: id → CIDRs. */
  readonly address_groups: Readonly<Record<string, readonly string[]>>;
  /** Per tunnelled network id: the other hosts with ports on it (only hosts whose L2 agent reported a tunnel IP). */
  readonly fdb: Readonly<Record<string, readonly FdbHost[]>>;
}

/** One network the DHCP agent of a host serves (scheduled to it). */
export interface DhcpNetwork {
  readonly network: NetworkInfo;
  readonly subnets: readonly SubnetInfo[];
  /** The network's DHCP port on this host (created by the server on sync; bound to this host). */
  readonly dhcp_port: BoundPort;
  /** Every port of the network that gets a lease (not the DHCP port itself). */
  readonly ports: readonly (BoundPort & { readonly hostname: string; readonly extra_dhcp_opts: readonly { readonly opt_name: string; readonly opt_value: string; readonly ip_version: number }[] })[];
  /** True when no subnet of the network has a router interface: metadata is served from the DHCP namespace. */
  readonly isolated: boolean;
}

export interface DhcpState {
  readonly host: string;
  readonly networks: readonly DhcpNetwork[];
}

export interface RouterInterface {
  readonly port_id: string;
  readonly network_id: string;
  readonly mac_address: string;
  readonly mtu: number;
  /** address/prefixlen, e.g. 10.0.0.1/24, one per fixed IP. */
  readonly addresses: readonly string[];
  readonly subnets: readonly SubnetInfo[];
}

export interface RouterGateway extends RouterInterface {
  readonly enable_snat: boolean;
  /** The external subnets' gateway addresses (default route). */
  readonly gateway_ips: readonly string[];
}

export interface RouterFloatingIp {
  readonly id: string;
  readonly floating_ip_address: string;
  readonly fixed_ip_address: string;
  readonly fixed_port_id: string;
  readonly status: string;
}

export interface RouterInfo {
  readonly id: string;
  readonly project_id: string;
  readonly admin_state_up: boolean;
  readonly gateway: RouterGateway | null;
  readonly interfaces: readonly RouterInterface[];
  readonly routes: readonly { readonly destination: string; readonly nexthop: string }[];
  readonly floating_ips: readonly RouterFloatingIp[];
}

export interface L3State {
  readonly host: string;
  /** Routers scheduled to this host's L3 agent. */
  readonly routers: readonly RouterInfo[];
}

/** get_metadata_port: who sent a metadata request. */
export interface MetadataLookup {
  readonly instance_id: string;
  readonly project_id: string;
  readonly port_id: string;
}

/** `tap` + the first 11 characters of the port id: the port's device on its host (Neutron's naming). */
export function portDeviceName(portId: string): string {
  return `tap${portId.slice(0, 11)}`;
}

/** Router/DHCP namespace-side device names (Neutron's): qr-, qg-, ns- + port id[:11]. */
export function routerInterfaceName(portId: string): string { return `qr-${portId.slice(0, 11)}`; }
export function routerGatewayName(portId: string): string { return `qg-${portId.slice(0, 11)}`; }
export function dhcpInterfaceName(portId: string): string { return `ns-${portId.slice(0, 11)}`; }
export function networkBridgeName(networkId: string): string { return `brq${networkId.slice(0, 11)}`; }
export function vxlanDeviceName(vni: number): string { return `vxlan-${vni}`; }

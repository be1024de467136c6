// Neutron's device_owner groups that change how IPAM treats a port (neutron_lib constants).

export const DEVICE_OWNER_DHCP = 'network:dhcp';

export const ROUTER_INTERFACE_OWNERS: readonly string[] = [
  'network:router_interface', 'network:ha_router_replicated_interface', 'network:router_interface_distributed',
];

/** Router interfaces plus DVR's centralized SNAT port: they take addresses explicitly, never SLAAC. */
export const ROUTER_INTERFACE_OWNERS_SNAT: readonly string[] = [...ROUTER_INTERFACE_OWNERS, 'network:router_centralized_snat'];

/** Every router-owned port; these may hold an IPv6 subnet's network (subnet-router anycast) address. */
export const ROUTER_PORT_OWNERS: readonly string[] = [...ROUTER_INTERFACE_OWNERS_SNAT, 'network:router_gateway'];

/** Ports Neutron removes by itself, so they never keep a subnet or network in use. */
export const AUTO_DELETE_PORT_OWNERS: readonly string[] = ['network:dhcp', 'network:distributed', 'network:floatingip_agent_gateway'];

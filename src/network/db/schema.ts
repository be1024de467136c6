// The network service's tables (Neutron's model). Booleans are 0/1 integers and lists or dicts
// that are never queried inside are JSON text, so one schema serves SQLite and PostgreSQL.
// Every top-level resource carries Neutron's standard attributes: description, created_at,
// updated_at (ISO seconds with Z) and revision_number (bumped on every change).

export interface StandardColumns {
  description: string;
  created_at: string;
  updated_at: string;
  revision_number: number;
}

export interface NetworkRow extends StandardColumns {
  id: string;
  project_id: string;
  name: string;
  status: string;
  admin_state_up: number;
  /** router:external */
  is_external: number;
  /** The default external network (auto-allocated-topology's is_default); only while external. */
  is_default?: number;
  mtu: number;
  port_security_enabled: number;
  /** JSON array of zone names. */
  availability_zone_hints: string;
  dns_domain: string;
  vlan_transparent: number | null;
}

/** One L2 segment of a network (ML2 network segments; the segments extension's resource). */
export interface SegmentRow extends StandardColumns {
  id: string;
  network_id: string;
  name: string | null;
  network_type: string;
  physical_network: string | null;
  segmentation_id: number | null;
  segment_index: number;
  is_dynamic: number;
}

/**
 * Who holds a segmentation id. The primary key is the race guard: two transactions taking the
 * same VNI or VLAN id cannot both commit. physical_network is '' for tunnel types.
 */
export interface SegmentAllocationRow {
  network_type: string;
  physical_network: string;
  segmentation_id: number;
  segment_id: string;
}

export interface SubnetRow extends StandardColumns {
  id: string;
  project_id: string;
  network_id: string;
  name: string;
  ip_version: number;
  cidr: string;
  gateway_ip: string | null;
  enable_dhcp: number;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  subnetpool_id: string | null;
  segment_id: string | null;
  dns_publish_fixed_ip: number;
  /** Creation order finer than created_at's seconds: IPAM's default subnet choice follows it. */
  created_seq?: string;
}

export interface SubnetAllocationPoolRow { subnet_id: string; first_ip: string; last_ip: string; position: number }
export interface SubnetDnsRow { subnet_id: string; address: string; position: number }
export interface SubnetRouteRow { subnet_id: string; destination: string; nexthop: string }
export interface SubnetServiceTypeRow { subnet_id: string; service_type: string }

export interface SubnetPoolRow extends StandardColumns {
  id: string;
  project_id: string;
  name: string;
  ip_version: number;
  default_prefixlen: number;
  min_prefixlen: number;
  max_prefixlen: number;
  shared: number;
  is_default: number;
  default_quota: number | null;
  address_scope_id: string | null;
}

export interface SubnetPoolPrefixRow { subnetpool_id: string; cidr: string }

export interface AddressScopeRow extends StandardColumns {
  id: string;
  project_id: string;
  name: string;
  ip_version: number;
  shared: number;
}

export interface PortRow extends StandardColumns {
  id: string;
  project_id: string;
  network_id: string;
  name: string;
  mac_address: string;
  admin_state_up: number;
  status: string;
  device_id: string;
  device_owner: string;
  port_security_enabled: number;
  /** 'immediate' | 'deferred' | 'none' */
  ip_allocation: string;
  dns_name: string;
  binding_host_id: string;
  binding_vnic_type: string;
  /** JSON object. */
  binding_profile: string;
  binding_vif_type: string;
  /** JSON object. */
  binding_vif_details: string;
  propagate_uplink_status: number;
}

/** A fixed IP. The (subnet_id, ip_address) key is the race guard for IP allocation. */
export interface IpAllocationRow { port_id: string; subnet_id: string; network_id: string; ip_address: string }
export interface PortAddressPairRow { port_id: string; ip_address: string; mac_address: string }
export interface PortDhcpOptionRow { port_id: string; opt_name: string; opt_value: string; ip_version: number }
export interface PortSecurityGroupRow { port_id: string; security_group_id: string }

export interface SecurityGroupRow extends StandardColumns {
  id: string;
  project_id: string;
  name: string;
  stateful: number;
}

/** One row per project: the primary key makes "create default group on first use" race-free. */
export interface DefaultSecurityGroupRow { project_id: string; security_group_id: string }

export interface SecurityGroupRuleRow extends StandardColumns {
  id: string;
  project_id: string;
  security_group_id: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
  normalized_cidr: string | null;
}

export interface AddressGroupRow extends StandardColumns { id: string; project_id: string; name: string }
export interface AddressGroupAddressRow { address_group_id: string; address: string }

export interface RouterRow extends StandardColumns {
  id: string;
  project_id: string;
  name: string;
  status: string;
  admin_state_up: number;
  gw_port_id: string | null;
  enable_snat: number;
  distributed: number;
  ha: number;
  flavor_id: string | null;
  availability_zone_hints: string;
  enable_ndp_proxy: number | null;
}

/** Ports a router owns: 'network:router_interface' or 'network:router_gateway'. */
export interface RouterPortRow { router_id: string; port_id: string; port_type: string }
export interface RouterRouteRow { router_id: string; destination: string; nexthop: string }

export interface FloatingIpRow extends StandardColumns {
  id: string;
  project_id: string;
  floating_network_id: string;
  floating_port_id: string;
  floating_ip_address: string;
  fixed_port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  status: string;
  dns_name: string;
  dns_domain: string;
  qos_policy_id: string | null;
}

export interface PortForwardingRow {
  id: string;
  floatingip_id: string;
  internal_port_id: string;
  internal_ip_address: string;
  internal_port: number;
  internal_port_end: number;
  external_port: number;
  external_port_end: number;
  protocol: string;
  description: string;
}

export interface RbacPolicyRow {
  id: string;
  project_id: string;
  /** 'network' | 'qos_policy' | 'security_group' | 'address_scope' | 'subnetpool' | 'address_group' */
  object_type: string;
  object_id: string;
  target_project: string;
  /** 'access_as_shared' | 'access_as_external' */
  action: string;
}

export interface TagRow { resource_type: string; resource_id: string; tag: string }
export interface QuotaRow { project_id: string; resource: string; hard_limit: number }

export interface AgentRow {
  id: string;
  agent_type: string;
  binary: string;
  topic: string;
  host: string;
  admin_state_up: number;
  availability_zone: string | null;
  description: string | null;
  /** JSON object the agent reports (bridge_mappings, tunnel ip, …). */
  configurations: string;
  resource_versions: string;
  created_at: string;
  started_at: string;
  heartbeat_timestamp: string;
  load: number;
  resources_synced: number | null;
}

export interface NetworkDb {
  net_network: NetworkRow;
  net_segment: SegmentRow;
  net_segment_allocation: SegmentAllocationRow;
  net_subnet: SubnetRow;
  net_subnet_pool_range: SubnetAllocationPoolRow;
  net_subnet_dns: SubnetDnsRow;
  net_subnet_route: SubnetRouteRow;
  net_subnet_service_type: SubnetServiceTypeRow;
  net_subnetpool: SubnetPoolRow;
  net_subnetpool_prefix: SubnetPoolPrefixRow;
  net_address_scope: AddressScopeRow;
  net_port: PortRow;
  net_ip_allocation: IpAllocationRow;
  net_port_address_pair: PortAddressPairRow;
  net_port_dhcp_option: PortDhcpOptionRow;
  net_port_security_group: PortSecurityGroupRow;
  net_security_group: SecurityGroupRow;
  net_default_security_group: DefaultSecurityGroupRow;
  net_security_group_rule: SecurityGroupRuleRow;
  net_address_group: AddressGroupRow;
  net_address_group_address: AddressGroupAddressRow;
  net_router: RouterRow;
  net_router_port: RouterPortRow;
  net_router_route: RouterRouteRow;
  net_floating_ip: FloatingIpRow;
  net_port_forwarding: PortForwardingRow;
  net_rbac_policy: RbacPolicyRow;
  net_tag: TagRow;
  net_quota: QuotaRow;
  net_agent: AgentRow;
}

/** Which alive DHCP agent serves a network (the dhcp agent scheduler's binding); the key makes it exclusive. */
export interface NetworkDhcpAgentRow { network_id: string; agent_id: string }

/** Which L3 agent hosts a router (the l3 agent scheduler's binding); the key makes it exclusive. */
export interface RouterL3AgentRow { router_id: string; agent_id: string }

/** Tables added by migration 0002-agent-bindings (declaration merging extends NetworkDb above). */
export interface NetworkDb {
  net_network_dhcp_agent: NetworkDhcpAgentRow;
  net_router_l3_agent: RouterL3AgentRow;
}

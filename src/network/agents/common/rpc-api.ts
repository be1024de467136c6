// The agent RPC surface of the network server (topic `q-plugin`, served by every network API
// process): method names and argument shapes, shared by the server (src/network/rpc/) and the
// agents' client (agents/common/plugin-client.ts).

export const PLUGIN_TOPIC = 'q-plugin';

export const PLUGIN_METHODS = {
  /** {host} → L2State */
  getL2State: 'get_l2_state',
  /** {host} → DhcpState (schedules unscheduled DHCP-enabled networks to this host's alive DHCP agent, creates DHCP ports) */
  getDhcpState: 'get_dhcp_state',
  /** {host} → L3State (schedules unscheduled routers with interfaces or a gateway to an alive L3 agent) */
  getL3State: 'get_l3_state',
  /** {host, port_ids: string[], status: 'ACTIVE'|'DOWN'} → {updated: string[]} (Neutron's update_device_up/down) */
  updatePortStatus: 'update_port_status',
  /** {host, statuses: {fip_id: 'ACTIVE'|'DOWN'|'ERROR'}} → {} */
  updateFloatingIpStatuses: 'update_floatingip_statuses',
  /** {ip_address, router_id?: string, network_id?: string} → MetadataLookup | null */
  getMetadataPort: 'get_metadata_port',
} as const;

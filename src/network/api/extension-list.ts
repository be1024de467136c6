// The API extensions Nimbus implements, as GET /v2.0/extensions lists them. Clients and Tempest
// decide what to use (and what to test) from these aliases, so an alias belongs here only when
// its behaviour works. Names, descriptions and dates are neutron-lib's api definitions'. The
// comment on each line names the area that implements it.

export interface Extension {
  readonly alias: string;
  readonly name: string;
  readonly description: string;
  readonly updated: string;
}

const ext = (alias: string, name: string, description: string, updated: string): Extension => ({ alias, name, description, updated });

export const EXTENSIONS: readonly Extension[] = [
  // --- networks, ML2, segments, RBAC, agents, availability zones (A) ---
  ext('agent', 'agent', 'The agent management extension.', '2013-02-03T10:00:00-00:00'),
  ext('dhcp_agent_scheduler', 'DHCP Agent Scheduler', 'Schedule networks among dhcp agents', '2013-02-07T10:00:00-00:00'),
  ext('l3_agent_scheduler', 'L3 Agent Scheduler', 'Schedule routers among l3 agents', '2013-02-07T10:00:00-00:00'),
  ext('availability_zone', 'Availability Zone', 'The availability zone extension.', '2015-01-01T10:00:00-00:00'),
  ext('network_availability_zone', 'Network Availability Zone', 'Availability zone support for network.', '2015-01-01T10:00:00-00:00'),
  ext('external-net', 'Neutron external network', 'Adds external network attribute to network resource.', '2013-01-14T10:00:00-00:00'),
  ext('multi-provider', 'Multi Provider Network', 'Expose mapping of virtual networks to multiple physical networks', '2013-06-27T10:00:00-00:00'),
  ext('provider', 'Provider Network', 'Expose mapping of virtual networks to physical networks', '2012-09-07T10:00:00-00:00'),
  ext('net-mtu', 'Network MTU', 'Provides MTU attribute for a network resource.', '2015-03-25T10:00:00-00:00'),
  ext('net-mtu-writable', 'Network MTU (writable)', 'Provides a writable MTU attribute for a network resource.', '2017-07-12T00:00:00-00:00'),
  ext('rbac-policies', 'RBAC Policies', 'Allows creation and modification of policies that control tenant access to resources.', '2015-06-17T12:15:12-00:00'),
  ext('segment', 'Segment', 'Segments extension.', '2016-02-24T17:00:00-00:00'),
  ext('standard-attr-segment', 'Standard Attribute Segment Extension', 'Add standard attributes to Segment resource', '2018-03-05T10:00:00-00:00'),
  ext('port-security', 'Port Security', 'Provides port security', '2012-07-23T10:00:00-00:00'),
  // --- subnets, subnet pools, address scopes, IP availability (B) ---
  ext('subnet_allocation', 'Subnet Allocation', 'Enables allocation of subnets from a subnet pool', '2015-03-30T10:00:00-00:00'),
  ext('default-subnetpools', 'Default Subnetpools', 'Provides ability to mark and use a subnetpool as the default.', '2016-02-18T18:00:00-00:00'),
  ext('address-scope', 'Address scope', 'Address scopes extension.', '2015-07-26T10:00:00-00:00'),
  ext('network-ip-availability', 'Network IP Availability', 'Provides IP availability data for each network and subnet.', '2015-09-24T00:00:00-00:00'),
  ext('subnet-service-types', 'Subnet service types', 'Provides ability to set the subnet service_types field', '2016-03-15T18:00:00-00:00'),
  // --- ports (C) ---
  ext('binding', 'Port Binding', 'Expose port bindings of a virtual port to external application', '2014-02-03T10:00:00-00:00'),
  ext('allowed-address-pairs', 'Allowed Address Pairs', 'Provides allowed address pairs', '2013-07-23T10:00:00-00:00'),
  ext('extra_dhcp_opt', 'Neutron Extra DHCP options', 'Extra options configuration for DHCP. For example PXE boot options to DHCP clients can be specified (e.g. tftp-server, server-ip-address, bootfile-name)', '2013-03-17T12:00:00-00:00'),
  // --- routers, floating IPs, port forwarding (D) ---
  ext('router', 'Neutron L3 Router', 'Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.', '2012-07-20T10:00:00-00:00'),
  ext('ext-gw-mode', 'Neutron L3 Configurable external gateway mode', 'Extension of the router abstraction for specifying whether SNAT should occur on the external gateway', '2013-03-28T10:00:00-00:00'),
  ext('extraroute', 'Neutron Extra Route', 'Extra routes configuration for L3 router', '2013-02-01T10:00:00-00:00'),
  ext('extraroute-atomic', 'Atomically add/remove extra routes', 'Edit extra routes of a router on server side by atomically adding/removing extra routes', '2019-07-10T00:00:00+00:00'),
  ext('router_availability_zone', 'Router Availability Zone', 'Availability zone support for router.', '2015-01-01T10:00:00-00:00'),
  ext('l3-ha', 'HA Router extension', 'Adds HA capability to routers.', '2014-04-26T00:00:00-00:00'),
  ext('router-admin-state-down-before-update', 'Enforce Router\'s Admin State Down Before Update Extension', 'Ensure that the admin state of a router is down (admin_state_up=False) before updating the distributed attribute', '2018-03-21T10:00:00-00:00'),
  ext('dvr', 'Distributed Virtual Router', 'Enables configuration of Distributed Virtual Routers.', '2014-06-1T10:00:00-00:00'),
  ext('fip-port-details', 'Floating IP Port Details Extension', 'Add port_details attribute to Floating IP resource', '2018-04-09T10:00:00-00:00'),
  ext('floating-ip-port-forwarding', 'Floating IP Port Forwarding', 'Provide a way to configure port forwarding on Floating IP.', '2018-01-25T01:20:00-00:00'),
  ext('expose-port-forwarding-in-fip', 'Expose port forwardings in floating IPs', 'Expose the port forwarding rules in floating IPs', '2019-04-03T10:00:00-00:00'),
  // --- security groups, address groups (E) ---
  ext('security-group', 'security-group', 'The security groups extension.', '2012-10-05T10:00:00-00:00'),
  ext('stateful-security-group', 'Stateful security group', 'Indicates if the security group is stateful or not', '2019-11-26T09:00:00-00:00'),
  ext('rbac-security-groups', 'Add security_group type to network RBAC', 'Add security_group type to network RBAC', '2019-04-14T10:00:00-00:00'),
  ext('subnetpool-prefix-ops', 'Subnet Pool Prefix Operations', 'Provides support for adjusting the prefix list of subnet pools', '2019-09-18T18:00:00-00:00'),
  ext('address-group', 'Address Group', 'Support address group', '2020-03-09T10:00:00-00:00'),
  ext('security-groups-remote-address-group', 'Remote address group id field for security group rules', 'Add new field of remote address group id in security group rules', '2020-03-09T10:00:00-00:00'),
  // --- platform: quotas, tags, standard attributes, API behaviour (F and the shared API layer) ---
  ext('quotas', 'Quota management support', 'Expose functions for quotas management per project', '2012-07-29T10:00:00-00:00'),
  ext('quota_details', 'Quota details management support', 'Expose functions for quotas usage statistics per project', '2017-02-10T10:00:00-00:00'),
  ext('standard-attr-tag', 'Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip', 'Enables to set tag on resources with standard attribute.', '2017-01-01T00:00:00-00:00'),
  ext('standard-attr-description', 'standard-attr-description', 'Extension to add descriptions to standard attributes', '2016-02-10T10:00:00-00:00'),
  ext('standard-attr-revisions', 'Resource revision numbers', 'This extension will display the revision number of neutron resources.', '2016-04-11T10:00:00-00:00'),
  ext('standard-attr-timestamp', 'Resource timestamps', 'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.', '2016-09-12T10:00:00-00:00'),
  ext('revision-if-match', 'If-Match constraints based on revision_number', 'Extension indicating that If-Match based on revision_number is supported.', '2016-12-11T00:00:00-00:00'),
  ext('project-id', 'project_id field enabled', 'Extension that indicates that project_id field is enabled.', '2016-09-09T09:09:09-09:09'),
  ext('pagination', 'Pagination support', 'Extension that indicates that pagination is enabled.', '2016-06-12T00:00:00-00:00'),
  ext('sorting', 'Sorting support', 'Extension that indicates that sorting is enabled.', '2016-06-12T00:00:00-00:00'),
];

export function findExtension(alias: string): Extension | undefined {
  return EXTENSIONS.find((e) => e.alias === alias);
}

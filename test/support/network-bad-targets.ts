// Every Neutron resource the bad-input test attacks: its URL, JSON keys, each attribute's kind
// (what values are wrong for it), a valid create body to poison one attribute at a time, and a
// valid update (sent only with something else wrong: a bad token, If-Match or content type).
import type { Kind } from './network-bad-values.js';
import type { NetworkFixtures } from './network-fixtures.js';

export interface Target {
  readonly key: string;
  /** Collection URL under /v2.0 (may contain a parent id). */
  readonly url: string;
  readonly resource: string;
  readonly bulkKey: string;
  readonly attrs: Readonly<Record<string, Kind>>;
  /** A valid create body; undefined when the collection has no POST. */
  readonly base?: Record<string, unknown>;
  readonly validUpdate?: Record<string, unknown>;
  /** The real id the member routes are attacked with. */
  readonly id: string;
}

const STD: Record<string, Kind> = { name: 'string', description: 'string', project_id: 'string', tenant_id: 'string' };

export function badInputTargets(fx: NetworkFixtures, projectId: string): Target[] {
  const { ids } = fx;
  return [
    { key: 'networks', url: 'networks', resource: 'network', bulkKey: 'networks', id: ids.network!, base: { name: 'bad' }, validUpdate: { name: 'changed' },
      attrs: { ...STD, admin_state_up: 'bool', shared: 'bool', 'router:external': 'bool', mtu: 'int', port_security_enabled: 'bool',
        'provider:network_type': 'enum', 'provider:physical_network': 'string', 'provider:segmentation_id': 'int', segments: 'list',
        availability_zone_hints: 'list', dns_domain: 'string', qos_policy_id: 'uuid', is_default: 'bool' } },
    { key: 'subnets', url: 'subnets', resource: 'subnet', bulkKey: 'subnets', id: ids.subnet!, validUpdate: { name: 'changed' },
      base: { network_id: ids.network, ip_version: 4, cidr: '10.98.0.0/24' },
      attrs: { ...STD, network_id: 'uuid', ip_version: 'int', cidr: 'cidr', gateway_ip: 'ip', allocation_pools: 'list', dns_nameservers: 'list',
        host_routes: 'list', enable_dhcp: 'bool', ipv6_ra_mode: 'enum', ipv6_address_mode: 'enum', subnetpool_id: 'uuid', prefixlen: 'int',
        segment_id: 'uuid', service_types: 'list', use_default_subnetpool: 'bool' } },
    { key: 'ports', url: 'ports', resource: 'port', bulkKey: 'ports', id: ids.port!, base: { network_id: ids.network }, validUpdate: { name: 'changed' },
      attrs: { ...STD, network_id: 'uuid', admin_state_up: 'bool', mac_address: 'mac', fixed_ips: 'list', device_id: 'string', device_owner: 'string',
        security_groups: 'list', allowed_address_pairs: 'list', 'binding:host_id': 'string', 'binding:profile': 'dict', 'binding:vnic_type': 'enum',
        port_security_enabled: 'bool', extra_dhcp_opts: 'list', dns_name: 'string', propagate_uplink_status: 'bool' } },
    { key: 'routers', url: 'routers', resource: 'router', bulkKey: 'routers', id: ids.router!, base: { name: 'bad' }, validUpdate: { name: 'changed' },
      attrs: { ...STD, admin_state_up: 'bool', external_gateway_info: 'dict', distributed: 'bool', ha: 'bool', routes: 'list',
        availability_zone_hints: 'list', flavor_id: 'uuid', enable_ndp_proxy: 'bool' } },
    { key: 'floatingips', url: 'floatingips', resource: 'floatingip', bulkKey: 'floatingips', id: ids.floatingip!,
      base: { floating_network_id: ids.external }, validUpdate: { description: 'changed' },
      attrs: { description: 'string', project_id: 'string', floating_network_id: 'uuid', port_id: 'uuid', fixed_ip_address: 'ip',
        floating_ip_address: 'ip', subnet_id: 'uuid', dns_name: 'string', dns_domain: 'string', qos_policy_id: 'uuid' } },
    { key: 'security-groups', url: 'security-groups', resource: 'security_group', bulkKey: 'security_groups', id: ids.securityGroup!,
      base: { name: 'bad' }, validUpdate: { name: 'changed' }, attrs: { ...STD, stateful: 'bool', shared: 'bool', security_group_rules: 'list' } },
    { key: 'security-group-rules', url: 'security-group-rules', resource: 'security_group_rule', bulkKey: 'security_group_rules', id: ids.securityGroupRule!,
      base: { security_group_id: ids.securityGroup, direction: 'egress', ethertype: 'IPv4', protocol: 'udp', port_range_min: 53, port_range_max: 53 },
      validUpdate: { description: 'changed' },
      attrs: { description: 'string', project_id: 'string', security_group_id: 'uuid', direction: 'enum', ethertype: 'enum', protocol: 'protocol',
        port_range_min: 'int', port_range_max: 'int', remote_ip_prefix: 'cidr', remote_group_id: 'uuid', remote_address_group_id: 'uuid' } },
    { key: 'subnetpools', url: 'subnetpools', resource: 'subnetpool', bulkKey: 'subnetpools', id: ids.subnetpool!,
      base: { name: 'bad', prefixes: ['10.201.0.0/16'], default_prefixlen: 24 }, validUpdate: { name: 'changed' },
      attrs: { ...STD, prefixes: 'list', default_prefixlen: 'int', min_prefixlen: 'int', max_prefixlen: 'int', shared: 'bool', is_default: 'bool',
        default_quota: 'int', address_scope_id: 'uuid', ip_version: 'int' } },
    { key: 'address-scopes', url: 'address-scopes', resource: 'address_scope', bulkKey: 'address_scopes', id: ids.addressScope!,
      base: { name: 'bad', ip_version: 6 }, validUpdate: { name: 'changed' }, attrs: { ...STD, ip_version: 'int', shared: 'bool' } },
    { key: 'rbac-policies', url: 'rbac-policies', resource: 'rbac_policy', bulkKey: 'rbac_policies', id: ids.rbacPolicy!,
      base: { object_type: 'network', object_id: ids.network, action: 'access_as_shared', target_tenant: 'someone-else' },
      validUpdate: { target_tenant: 'another-project' },
      attrs: { project_id: 'string', tenant_id: 'string', object_type: 'enum', object_id: 'uuid', action: 'enum', target_tenant: 'string', target_project: 'string' } },
    { key: 'segments', url: 'segments', resource: 'segment', bulkKey: 'segments', id: ids.segment!,
      base: { network_id: ids.network, network_type: 'vlan', physical_network: 'public', segmentation_id: 5 }, validUpdate: { name: 'changed' },
      attrs: { name: 'string', description: 'string', network_id: 'uuid', network_type: 'enum', physical_network: 'string', segmentation_id: 'int' } },
    { key: 'address-groups', url: 'address-groups', resource: 'address_group', bulkKey: 'address_groups', id: ids.addressGroup!,
      base: { name: 'bad', addresses: ['10.2.0.0/16'] }, validUpdate: { name: 'changed' }, attrs: { ...STD, addresses: 'list' } },
    { key: 'port_forwardings', url: `floatingips/${ids.floatingip}/port_forwardings`, resource: 'port_forwarding', bulkKey: 'port_forwardings',
      id: ids.portForwarding!, validUpdate: { description: 'changed' },
      base: { internal_port_id: ids.port, internal_ip_address: fx.portIp, internal_port: 80, external_port: 8080, protocol: 'tcp' },
      attrs: { description: 'string', internal_port_id: 'uuid', internal_ip_address: 'ip', internal_port: 'int', external_port: 'int', protocol: 'enum',
        internal_port_range: 'portRange', external_port_range: 'portRange' } },
    { key: 'agents', url: 'agents', resource: 'agent', bulkKey: 'agents', id: ids.agent!, validUpdate: { description: 'changed' },
      attrs: { admin_state_up: 'bool', description: 'string', host: 'string', agent_type: 'string', binary: 'string', topic: 'string',
        configurations: 'dict', availability_zone: 'string', alive: 'bool', load: 'int', resources_synced: 'bool', heartbeat_timestamp: 'string' } },
    { key: 'quotas', url: 'quotas', resource: 'quota', bulkKey: 'quotas', id: projectId, validUpdate: { network: 17 },
      attrs: { network: 'int', subnet: 'int', subnetpool: 'int', port: 'int', router: 'int', floatingip: 'int', security_group: 'int',
        security_group_rule: 'int', rbac_policy: 'int', address_scope: 'int', address_group: 'int', check_limit: 'bool', force: 'bool' } },
  ];
}

/** Tag collections and the fixture each is attacked on. */
export function tagTargets(fx: NetworkFixtures): [string, string][] {
  const { ids } = fx;
  return [['networks', ids.network!], ['subnets', ids.subnet!], ['ports', ids.port!], ['routers', ids.router!], ['floatingips', ids.floatingip!],
    ['security-groups', ids.securityGroup!], ['subnetpools', ids.subnetpool!]];
}

// A port as Neutron's API shows it (ML2 with the binding, port-security, allowed-address-pairs,
// extra-dhcp-opt, dns-integration, ip-allocation, uplink-status-propagation and standard-attr
// extensions). Attributes the caller may not read (binding:host_id for non-admins, …) are
// removed, as Neutron's API layer removes them.
import type { PortRow } from '../../db/schema.js';
import { renderStandard } from '../standard-attrs.js';
import type { PortChildren } from './children.js';

/** Neutron's dns_domain default: the fqdn suffix when no DNS service is configured. */
const DEFAULT_DNS_DOMAIN = 'openstacklocal.';

/** Attributes with a `get_port:<attr>` rule; the caller's view is computed once per request. */
export const POLICED_READ_ATTRS = ['binding:host_id', 'binding:profile', 'binding:vif_type', 'binding:vif_details', 'resource_request'] as const;

function parseObject(text: string): Record<string, unknown> {
  if (text === '{}') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function dnsAssignment(row: PortRow, children: PortChildren): Record<string, string>[] {
  return children.fixedIps.map((ip) => {
    const hostname = row.dns_name !== '' ? row.dns_name : `host-${ip.ip_address.replace(/[.:]/g, '-')}`;
    return { ip_address: ip.ip_address, hostname, fqdn: `${hostname}.${DEFAULT_DNS_DOMAIN}` };
  });
}

export function renderPort(row: PortRow, children: PortChildren, hidden: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const port: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    network_id: row.network_id,
    tenant_id: row.project_id,
    project_id: row.project_id,
    mac_address: row.mac_address,
    admin_state_up: row.admin_state_up === 1,
    status: row.status,
    device_id: row.device_id,
    device_owner: row.device_owner,
    fixed_ips: children.fixedIps.map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
    allowed_address_pairs: children.addressPairs.map((p) => ({ ip_address: p.ip_address, mac_address: p.mac_address })),
    extra_dhcp_opts: children.dhcpOpts.map((o) => ({ opt_name: o.opt_name, opt_value: o.opt_value, ip_version: o.ip_version })),
    security_groups: [...children.securityGroups],
    port_security_enabled: row.port_security_enabled === 1,
    'binding:vnic_type': row.binding_vnic_type,
    dns_name: row.dns_name,
    dns_assignment: dnsAssignment(row, children),
    ip_allocation: row.ip_allocation,
    propagate_uplink_status: row.propagate_uplink_status === 1,
    ...renderStandard(row),
    tags: [...children.tags],
  };
  // Added only when visible: deleting keys later would slow every later use of the object.
  if (hidden.size === 0) {
    port['binding:host_id'] = row.binding_host_id;
    port['binding:profile'] = parseObject(row.binding_profile);
    port['binding:vif_type'] = row.binding_vif_type;
    port['binding:vif_details'] = parseObject(row.binding_vif_details);
    port.resource_request = null;
    return port;
  }
  if (!hidden.has('binding:host_id')) port['binding:host_id'] = row.binding_host_id;
  if (!hidden.has('binding:profile')) port['binding:profile'] = parseObject(row.binding_profile);
  if (!hidden.has('binding:vif_type')) port['binding:vif_type'] = row.binding_vif_type;
  if (!hidden.has('binding:vif_details')) port['binding:vif_details'] = parseObject(row.binding_vif_details);
  if (!hidden.has('resource_request')) port.resource_request = null;
  return port;
}

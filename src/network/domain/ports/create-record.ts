// Writes one port and its children inside the caller's transaction. Shared by the port API
// (after its policy and input checks) and by system-owned ports (router interfaces, gateways,
// floating IP and DHCP ports), so every port is created the same way.
import { randomUUID } from 'node:crypto';
import type { NetworkDeps } from '../../api/deps.js';
import type { NetworkRow, PortAddressPairRow, PortDhcpOptionRow, PortRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import { allocatePortIps, type FixedIpRequest } from '../ipam/allocate.js';
import { loadSegments } from '../networks/access.js';
import { ensureDefaultSecurityGroup } from '../security-groups/default-group.js';
import { newStandard } from '../standard-attrs.js';
import type { PortChildren } from './children.js';
import { assertMacFree, newMac } from './mac.js';

export interface AddressPair { readonly ip_address: string; readonly mac_address?: string | undefined }
export interface DhcpOpt { readonly opt_name: string; readonly opt_value: string; readonly ip_version: number }

export interface NewPort {
  readonly id?: string;
  readonly projectId: string;
  readonly network: NetworkRow;
  readonly name: string;
  readonly description: string;
  readonly adminStateUp: boolean;
  /** Undefined: generate one under config.network.baseMac. */
  readonly macAddress?: string | undefined;
  readonly deviceId: string;
  readonly deviceOwner: string;
  /** Undefined: IPAM's default (an address from each suitable subnet). [] means none. */
  readonly fixedIps?: readonly FixedIpRequest[] | undefined;
  readonly portSecurity: boolean;
  /** Group ids (already validated), or 'default' for the project's default group. */
  readonly securityGroups: readonly string[] | 'default';
  readonly addressPairs?: readonly AddressPair[];
  readonly dhcpOpts?: readonly DhcpOpt[];
  readonly hostId?: string;
  readonly vnicType?: string;
  readonly profile?: Record<string, unknown>;
  readonly dnsName?: string;
  readonly propagateUplinkStatus?: boolean;
  /** Neutron's initial status: DOWN, N/A for floating IP ports. */
  readonly status?: string;
  /** Admins may take addresses IPAM keeps from others (service subnets, …). */
  readonly isAdmin: boolean;
}

export interface PortRecord { readonly row: PortRow; readonly children: PortChildren }

/** Ports a network service owns ('network:router_interface', 'network:dhcp', …). */
export function isTrustedOwner(deviceOwner: string): boolean {
  return deviceOwner.startsWith('network:');
}

/** A pair without a MAC takes the port's, which can make two pairs equal: keep one. */
export function uniquePairs(pairs: readonly PortAddressPairRow[]): PortAddressPairRow[] {
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const key = `${p.ip_address}|${p.mac_address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function insertPort(trx: NetworkTx, deps: NetworkDeps, spec: NewPort): Promise<PortRecord> {
  const network = spec.network;
  let mac: string;
  if (spec.macAddress !== undefined) {
    await assertMacFree(trx, network.id, spec.macAddress);
    mac = spec.macAddress;
  } else {
    // No look-up first: a collision is one in 16 million, and the (network_id, mac_address)
    // unique key turns it into a retried transaction that draws another MAC.
    mac = newMac(deps.config.network.baseMac);
  }
  const row: PortRow = {
    id: spec.id ?? randomUUID(),
    project_id: spec.projectId,
    network_id: network.id,
    name: spec.name,
    mac_address: mac,
    admin_state_up: spec.adminStateUp ? 1 : 0,
    status: spec.status ?? 'DOWN',
    device_id: spec.deviceId,
    device_owner: spec.deviceOwner,
    port_security_enabled: spec.portSecurity ? 1 : 0,
    ip_allocation: 'immediate',
    dns_name: spec.dnsName ?? '',
    binding_host_id: spec.hostId ?? '',
    binding_vnic_type: spec.vnicType ?? 'normal',
    binding_profile: JSON.stringify(spec.profile ?? {}),
    binding_vif_type: 'unbound',
    binding_vif_details: '{}',
    propagate_uplink_status: spec.propagateUplinkStatus === true ? 1 : 0,
    ...newStandard(spec.description),
  };
  if (row.binding_host_id !== '') {
    const binding = await deps.ml2.bindPort(trx, row, await loadSegments(trx, network.id));
    row.binding_vif_type = binding.vifType;
    row.binding_vif_details = JSON.stringify(binding.vifDetails);
  }
  await trx.insertInto('net_port').values(row).execute();

  const fixedIps = await allocatePortIps(trx, {
    network, portId: row.id, mac, requested: spec.fixedIps === undefined ? undefined : [...spec.fixedIps],
    deviceOwner: spec.deviceOwner, isAdmin: spec.isAdmin,
  });

  let securityGroups: string[] = [];
  if (spec.portSecurity && !isTrustedOwner(spec.deviceOwner)) {
    securityGroups = spec.securityGroups === 'default'
      ? [await ensureDefaultSecurityGroup(trx, deps, spec.projectId)]
      : [...spec.securityGroups];
  }
  if (securityGroups.length > 0) {
    await trx.insertInto('net_port_security_group').values(securityGroups.map((id) => ({ port_id: row.id, security_group_id: id }))).execute();
  }
  const addressPairs = uniquePairs((spec.addressPairs ?? []).map((p) => ({ port_id: row.id, ip_address: p.ip_address, mac_address: p.mac_address ?? mac })));
  if (addressPairs.length > 0) await trx.insertInto('net_port_address_pair').values(addressPairs).execute();
  const dhcpOpts: PortDhcpOptionRow[] = (spec.dhcpOpts ?? []).map((o) => ({ port_id: row.id, ...o }));
  if (dhcpOpts.length > 0) await trx.insertInto('net_port_dhcp_option').values(dhcpOpts).execute();

  return { row, children: { fixedIps, addressPairs, dhcpOpts, securityGroups, tags: [] } };
}

// A new SLAAC / DHCPv6-stateless subnet gives every existing port of its network an EUI-64
// address (Neutron's add_auto_addrs_on_network_ports), except router ports, which pick theirs.
import { sql } from 'kysely';
import type { NetworkTx } from '../../db/transaction.js';
import type { SubnetRow } from '../../db/schema.js';
import { eui64String } from '../../ipam/eui64.js';
import { tryParseCidrLoose } from '../../ipam/cidr.js';
import { isAutoAddressSubnet } from '../ipam/ipam-subnets.js';
import { DEVICE_OWNER_DHCP, ROUTER_INTERFACE_OWNERS_SNAT } from '../ipam/owners.js';
import { nowIso } from '../standard-attrs.js';

export async function addAutoAddressesToPorts(trx: NetworkTx, subnet: SubnetRow, serviceTypes: readonly string[]): Promise<void> {
  if (!isAutoAddressSubnet(subnet)) return;
  const cidr = tryParseCidrLoose(subnet.cidr)?.cidr;
  if (cidr === undefined) return;
  const ports = await trx.selectFrom('net_port').select(['id', 'mac_address', 'device_owner']).where('network_id', '=', subnet.network_id).execute();
  const eligible = ports.filter((p) => !ROUTER_INTERFACE_OWNERS_SNAT.includes(p.device_owner)
    && (serviceTypes.length === 0 || serviceTypes.includes(p.device_owner) || (p.device_owner === DEVICE_OWNER_DHCP && subnet.enable_dhcp === 1)));
  if (eligible.length === 0) return;
  const rows = eligible.map((p) => ({ port_id: p.id, subnet_id: subnet.id, network_id: subnet.network_id, ip_address: eui64String(cidr, p.mac_address) }));
  // Two ports of one network never share a MAC, so their EUI-64 addresses are distinct.
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('net_ip_allocation').values(rows.slice(i, i + 500)).execute();
  await trx.updateTable('net_port').set({ revision_number: sql<number>`revision_number + 1`, updated_at: nowIso() })
    .where('id', 'in', eligible.map((p) => p.id)).execute();
}

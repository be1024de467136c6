// Removes one port and everything hanging off it inside the caller's transaction: its fixed IPs
// (free for reuse once this commits), address pairs, DHCP options, security group bindings,
// router attachment rows and tags; floating IPs that pointed at it are disassociated and port
// forwardings to it removed, as Neutron's L3 plugin does on port delete.
import { sql } from 'kysely';
import type { PortRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import { nowIso } from '../standard-attrs.js';

/** The deleted row, or undefined when no such port existed. */
export async function deletePortRecord(trx: NetworkTx, portId: string): Promise<PortRow | undefined> {
  const row = await trx.selectFrom('net_port').selectAll().where('id', '=', portId).executeTakeFirst();
  if (row === undefined) return undefined;
  await trx.updateTable('net_floating_ip')
    .set({ fixed_port_id: null, fixed_ip_address: null, router_id: null, updated_at: nowIso(), revision_number: sql<number>`revision_number + 1` })
    .where('fixed_port_id', '=', portId).execute();
  await trx.deleteFrom('net_port_forwarding').where('internal_port_id', '=', portId).execute();
  await trx.deleteFrom('net_ip_allocation').where('port_id', '=', portId).execute();
  await trx.deleteFrom('net_port_address_pair').where('port_id', '=', portId).execute();
  await trx.deleteFrom('net_port_dhcp_option').where('port_id', '=', portId).execute();
  await trx.deleteFrom('net_port_security_group').where('port_id', '=', portId).execute();
  await trx.deleteFrom('net_router_port').where('port_id', '=', portId).execute();
  await trx.deleteFrom('net_tag').where('resource_type', '=', 'ports').where('resource_id', '=', portId).execute();
  await trx.deleteFrom('net_port').where('id', '=', portId).execute();
  return row;
}

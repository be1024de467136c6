// MAC addresses of ports: unique within a network (the net_port (network_id, mac_address) key),
// generated under the configured base MAC's first three octets when the client gives none.
import type { NetworkTx } from '../../db/transaction.js';
import { inUse } from '../errors.js';
import { generateMac } from '../../ipam/mac-address.js';

export function macInUse(networkId: string, mac: string): Error {
  return inUse('MacAddressInUse', `Unable to complete operation for network ${networkId}. The mac address ${mac} is in use.`);
}

/** 409 MacAddressInUse when another port of the network has this MAC. */
export async function assertMacFree(trx: NetworkTx, networkId: string, mac: string, exceptPortId?: string): Promise<void> {
  let query = trx.selectFrom('net_port').select('id').where('network_id', '=', networkId).where('mac_address', '=', mac);
  if (exceptPortId !== undefined) query = query.where('id', '!=', exceptPortId);
  if ((await query.executeTakeFirst()) !== undefined) throw macInUse(networkId, mac);
}

export function newMac(baseMac: string): string {
  return generateMac(baseMac);
}

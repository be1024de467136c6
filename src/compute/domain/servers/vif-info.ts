// A server's info cache refresh (network-changed events): the ports bound to it, mapped to
// VifInfo[] by the shared mapping (src/compute/rpc/vif-info.ts, which the agent uses too), and
// written to nova_instance_info_cache.
import type { Kysely } from 'kysely';
import type { NetworkClient } from '../../../core/clients/index.js';
import type { ComputeDb } from '../../db/schema.js';
import { nowIso } from '../../db/transaction.js';
import type { VifInfo } from '../../rpc/compute-protocol.js';
import { parseNetworkInfo, vifInfoOfPorts } from '../../rpc/vif-info.js';

/**
 * Rebuilds a server's info cache from the ports bound to it (device_id = server), keeping the
 * cache's port order and its preserve_on_delete flags; ports new to the cache count as the
 * user's (never deleted by us). Returns what was written.
 */
export async function refreshInfoCache(db: Kysely<ComputeDb>, network: NetworkClient, instanceUuid: string): Promise<VifInfo[]> {
  const cached = await db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', instanceUuid).executeTakeFirst();
  const previous = parseNetworkInfo(cached?.network_info);
  const order = new Map(previous.map((v, i) => [v.id, i]));
  const ports = [...await network.listPortsByDevice(instanceUuid)]
    .sort((a, b) => (order.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.id) ?? Number.MAX_SAFE_INTEGER));
  const vifs = await vifInfoOfPorts(network, ports, (id) => previous.find((v) => v.id === id)?.preserve_on_delete ?? true);
  const networkInfo = JSON.stringify(vifs);
  const now = nowIso();
  // A deleted server keeps no cache worth updating.
  const alive = await db.selectFrom('nova_instance').select('uuid').where('uuid', '=', instanceUuid).where('deleted', '=', 0).executeTakeFirst();
  if (!alive) return vifs;
  const updated = await db.updateTable('nova_instance_info_cache').set({ network_info: networkInfo, updated_at: now })
    .where('instance_uuid', '=', instanceUuid).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    await db.insertInto('nova_instance_info_cache').values({ instance_uuid: instanceUuid, network_info: networkInfo, updated_at: now }).execute();
  }
  return vifs;
}

// The conductor's side of shelve: an offloaded server gives its resources back (shelve_offloaded)
// and is scheduled again when unshelved (Nova's conductor unshelve_instance: the same filters as
// a build, server groups included, then the claim), then built on its new host from the shelved
// image on its own ports, which the info cache lists.
import { inTransaction, nowIso } from '../db/transaction.js';
import { loadInstance, systemMetadataOf } from '../domain/servers/lookup.js';
import { parseNetworkInfo } from '../rpc/vif-info.js';
import { COMPUTE_RPC_TOPIC, tapName } from '../rpc/compute-protocol.js';
import { resourcesFromFlavor, type RequestSpec } from '../scheduler/index.js';
import { claimFirst, dropAllocation, insertFault, hostZone, instanceBuild, loadSpec, NO_VALID_HOST, select, type ConductorDeps } from './build.js';
import type { ShelveOffloaded, UnshelveInstance } from './shelve-protocol.js';

export async function shelveOffloaded(deps: ConductorDeps, a: ShelveOffloaded): Promise<{ updated: boolean }> {
  const res = await deps.db.updateTable('nova_instance').set({
    vm_state: 'shelved_offloaded', task_state: null, power_state: 0, host: null, node: null, compute_node_uuid: null, updated_at: nowIso(),
  }).where('uuid', '=', a.uuid).where('host', '=', a.host).where('deleted', '=', 0).where('task_state', '=', 'shelving_offloading').executeTakeFirst();
  const updated = Number(res.numUpdatedRows) === 1;
  if (updated) await dropAllocation(deps.placement, a.uuid);
  return { updated };
}

async function backToOffloaded(deps: ConductorDeps, uuid: string, message: string): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const res = await trx.updateTable('nova_instance').set({ task_state: null, host: null, node: null, compute_node_uuid: null, updated_at: nowIso() })
      .where('uuid', '=', uuid).where('task_state', '=', 'unshelving').executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return;
    await insertFault(trx, uuid, { code: 500, message, details: '', host: null });
  });
}

export async function unshelveInstance(deps: ConductorDeps, a: UnshelveInstance): Promise<void> {
  const row = await loadInstance(deps.db, a.uuid);
  if (!row || row.vm_state !== 'shelved_offloaded' || row.task_state !== 'unshelving') return;
  const loaded = await loadSpec(deps.db, row.uuid);
  if (!loaded) { await backToOffloaded(deps, row.uuid, `${NO_VALID_HOST} The instance has no request spec.`); return; }
  const spec: RequestSpec = {
    ...loaded.spec, instance_uuids: [row.uuid], num_instances: 1, min_count: 1, request_id: a.request_id, force_host: null, force_node: null,
    requested_destination: a.host !== null ? { host: a.host, node: null } : null,
    ...(a.availability_zone !== undefined ? { availability_zone: a.availability_zone } : {}),
  };
  const placement = deps.placement.withRequestId(a.request_id);
  const resources = resourcesFromFlavor(spec.flavor, spec.image.id === '');
  let claimed;
  try {
    claimed = await claimFirst(placement, row.uuid, (await select(deps, placement, spec, resources))[0] ?? [], resources, spec);
  } catch (error) {
    await backToOffloaded(deps, row.uuid, `${NO_VALID_HOST} ${(error as Error).message}`);
    return;
  }
  if (!claimed) { await backToOffloaded(deps, row.uuid, NO_VALID_HOST); return; }
  const sel = claimed.selection;
  const zone = await hostZone(deps.db, sel.host, deps.compute);
  const placed = await deps.db.updateTable('nova_instance').set({
    host: sel.host, node: sel.nodename, compute_node_uuid: sel.node_uuid, availability_zone: zone, updated_at: nowIso(),
  }).where('uuid', '=', row.uuid).where('task_state', '=', 'unshelving').where('deleted', '=', 0).executeTakeFirst();
  if (Number(placed.numUpdatedRows) !== 1) { await dropAllocation(placement, row.uuid); return; }
  const cache = await deps.db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', row.uuid).executeTakeFirst();
  const ports = parseNetworkInfo(cache?.network_info).map((v) => ({ id: v.id, mac: v.address, tap: tapName(v.id), mtu: v.network.mtu, created: !v.preserve_on_delete }));
  const build = await instanceBuild(deps.db, { ...row, host: sel.host }, spec, sel.node_uuid, zone, 1);
  await deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: sel.host }, 'unshelve_instance', {
    uuid: row.uuid, request_id: a.request_id, shelved_image_id: systemMetadataOf(row).shelved_image_id ?? null, local: false,
    build: build as unknown as Record<string, unknown>, ports,
  });
}

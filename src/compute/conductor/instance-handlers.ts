// The conductor's agent-facing instance methods (instance-protocol.ts): agents report state
// changes, network info, faults and action events here, and tell the conductor when a build failed
// (reschedule to an alternate or ERROR) or a server is gone (allocation dropped, row soft-deleted).
// Every write is guarded by the host the agent speaks for: an agent never overwrites a server that
// moved away or was deleted.
import { inTransaction, nowIso } from '../db/transaction.js';
import { findInstanceAction, finishActionEvent, finishInstanceAction, startActionEvent } from '../domain/servers/instance-actions.js';
import { destroyInstanceRow } from '../domain/servers/destroy-row.js';
import { loadInstance } from '../domain/servers/lookup.js';
import { COMPUTE_RPC_TOPIC } from '../rpc/compute-protocol.js';
import { parseNetworkInfo } from '../rpc/vif-info.js';
import { resourcesFromFlavor } from '../scheduler/index.js';
import {
  claim, dropAllocation, failInstance, insertFault, hostZone, instanceBuild, loadSpec, recordPlacement, type ConductorDeps,
} from './build.js';
import type {
  ActionEventFinish, ActionEventStart, BuildFailed, FaultCreate, InfoCacheUpdate, InstanceDestroyed, InstanceOnHost, InstanceUpdate,
  InstanceUpdateResult,
} from './instance-protocol.js';

/** Events whose end is the end of their action (build, stop, start, reboot, delete). */
const ACTION_ENDING_EVENTS = new Set([
  'compute__do_build_and_run_instance', 'compute_stop_instance', 'compute_start_instance', 'compute_reboot_instance', 'compute_terminate_instance',
]);
const BUILD_EVENT = 'compute__do_build_and_run_instance';

export const retriesExhausted = (uuid: string): string =>
  `Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance ${uuid}.`;

export async function instanceUpdate(deps: ConductorDeps, a: InstanceUpdate): Promise<InstanceUpdateResult> {
  let q = deps.db.updateTable('nova_instance').set({ ...a.updates, updated_at: nowIso() })
    .where('uuid', '=', a.uuid).where('host', '=', a.host).where('deleted', '=', 0);
  const expected = a.expected_task_state;
  if (expected) {
    const states = expected.filter((s): s is string => s !== null);
    const withNull = expected.includes(null);
    q = q.where((eb) => eb.or([
      ...(states.length > 0 ? [eb('task_state', 'in', states)] : []),
      ...(withNull ? [eb('task_state', 'is', null)] : []),
    ]));
  }
  const res = await q.executeTakeFirst();
  const row = await loadInstance(deps.db, a.uuid, { readDeleted: true });
  return {
    updated: Number(res.numUpdatedRows) > 0,
    vm_state: row?.vm_state ?? null, task_state: row?.task_state ?? null, deleted: !row || row.deleted !== 0,
  };
}

export async function infoCacheUpdate(deps: ConductorDeps, a: InfoCacheUpdate): Promise<Record<string, never>> {
  await inTransaction(deps.db, async (trx) => {
    const row = await trx.selectFrom('nova_instance').select('uuid').where('uuid', '=', a.uuid).executeTakeFirst();
    if (!row) throw new Error(`Instance ${a.uuid} could not be found.`);
    await trx.deleteFrom('nova_instance_info_cache').where('instance_uuid', '=', a.uuid).execute();
    await trx.insertInto('nova_instance_info_cache').values({
      instance_uuid: a.uuid, network_info: JSON.stringify(a.network_info), updated_at: nowIso(),
    }).execute();
  });
  return {};
}

export async function faultCreate(deps: ConductorDeps, a: FaultCreate): Promise<Record<string, never>> {
  await inTransaction(deps.db, async (trx) => {
    const row = await trx.selectFrom('nova_instance').select('uuid').where('uuid', '=', a.uuid).executeTakeFirst();
    if (!row) throw new Error(`Instance ${a.uuid} could not be found.`);
    await insertFault(trx, a.uuid, a);
  });
  return {};
}

export async function actionEventStart(deps: ConductorDeps, a: ActionEventStart): Promise<Record<string, never>> {
  await inTransaction(deps.db, async (trx) => {
    const action = await findInstanceAction(trx, a.uuid, a.request_id);
    if (!action) throw new Error(`Action for request_id ${a.request_id} on instance ${a.uuid} not found`);
    await startActionEvent(trx, action.id, a.event, a.host);
  });
  return {};
}

export async function actionEventFinish(deps: ConductorDeps, a: ActionEventFinish): Promise<Record<string, never>> {
  await inTransaction(deps.db, async (trx) => {
    const action = await findInstanceAction(trx, a.uuid, a.request_id);
    if (!action) throw new Error(`Action for request_id ${a.request_id} on instance ${a.uuid} not found`);
    await finishActionEvent(trx, action.id, a.event, a.result, a.traceback ?? null);
    // A failed build is not the end of `create` yet: build_failed may reschedule it.
    if (ACTION_ENDING_EVENTS.has(a.event) && !(a.event === BUILD_EVENT && a.result === 'Error')) await finishInstanceAction(trx, action.id);
  });
  return {};
}

/**
 * The agent gave up on a build (and cleaned up). The allocation goes; with reschedule, the next
 * alternate that still claims gets the instance (attempt + 1); else ERROR with a fault.
 */
export async function buildFailed(deps: ConductorDeps, a: BuildFailed): Promise<{ rescheduled: boolean }> {
  const row = await loadInstance(deps.db, a.uuid, { readDeleted: true });
  if (!row || row.host !== a.host) return { rescheduled: false }; // not on that host (any more): not the agent's to report
  const placement = deps.placement.withRequestId(a.request_id);
  await dropAllocation(placement, a.uuid);
  if (row.deleted !== 0 || row.vm_state !== 'building') return { rescheduled: false };

  let message = a.reason;
  if (a.reschedule) {
    message = retriesExhausted(a.uuid);
    const loaded = await loadSpec(deps.db, a.uuid).catch(() => undefined);
    if (loaded) {
      const spec = loaded.spec;
      const alternates = [...(spec.alternates[a.uuid] ?? [])];
      const attempt = (spec.attempts[a.uuid] ?? 1) + 1;
      const resources = resourcesFromFlavor(spec.flavor, spec.image.id === '');
      while (alternates.length > 0 && attempt <= deps.compute.scheduler.maxAttempts) {
        const alt = alternates.shift()!;
        const node = await deps.db.selectFrom('nova_compute_node').select(['hypervisor_hostname', 'host']).where('uuid', '=', alt.node_uuid).executeTakeFirst();
        if (!node || node.host !== alt.host) continue;
        if (!(await claim(placement, a.uuid, alt.node_uuid, resources, spec))) continue;
        const zone = await hostZone(deps.db, alt.host, deps.compute);
        const moved = await recordPlacement(deps.db, a.uuid, { host: alt.host, nodename: node.hypervisor_hostname, node_uuid: alt.node_uuid, zone },
          { host: a.host, task_state: row.task_state }, alternates, attempt, a.request_id);
        if (!moved) {
          await dropAllocation(placement, a.uuid); // deleted while we rescheduled
          return { rescheduled: false };
        }
        // Back to spawning on the new host; the agent there builds from scratch.
        const build = await instanceBuild(deps.db, moved, { ...spec, request_id: a.request_id }, alt.node_uuid, zone, attempt);
        await deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: alt.host }, 'build_and_run_instance', { build: build as unknown as Record<string, unknown> });
        return { rescheduled: true };
      }
    }
  }
  await failInstance(deps.db, a.uuid, a.request_id, { code: 500, message, details: '', host: a.host }, undefined, { clearHost: true });
  return { rescheduled: false };
}

/** After terminate on the host: allocation gone, row soft-deleted, the `delete` action finished. */
export async function instanceDestroyed(deps: ConductorDeps, a: InstanceDestroyed): Promise<Record<string, never>> {
  const row = await loadInstance(deps.db, a.uuid, { readDeleted: true });
  if (!row || (row.host !== null && row.host !== a.host)) return {};
  await dropAllocation(deps.placement.withRequestId(a.request_id), a.uuid);
  await inTransaction(deps.db, async (trx) => {
    const now = nowIso();
    await destroyInstanceRow(trx, a.uuid, now);
    const action = await findInstanceAction(trx, a.uuid, a.request_id);
    if (action) await finishInstanceAction(trx, action.id);
  });
  return {};
}

export async function instancesOnHost(deps: ConductorDeps, host: string): Promise<InstanceOnHost[]> {
  const rows = await deps.db.selectFrom('nova_instance')
    .leftJoin('nova_instance_info_cache', 'nova_instance_info_cache.instance_uuid', 'nova_instance.uuid')
    .select(['nova_instance.uuid', 'nova_instance.vm_state', 'nova_instance.task_state', 'nova_instance.power_state', 'nova_instance_info_cache.network_info'])
    .where('nova_instance.host', '=', host).where('nova_instance.deleted', '=', 0).orderBy('nova_instance.id').execute();
  // The newest action of each: the API records one with every task it sets (create, delete, stop, …).
  const requestIds = new Map<string, string>();
  if (rows.length > 0) {
    const actions = await deps.db.selectFrom('nova_instance_action').select(['instance_uuid', 'request_id'])
      .where('instance_uuid', 'in', rows.map((r) => r.uuid)).orderBy('id').execute();
    for (const a of actions) requestIds.set(a.instance_uuid, a.request_id);
  }
  return rows.map((r) => ({
    uuid: r.uuid, vm_state: r.vm_state, task_state: r.task_state, power_state: r.power_state,
    network_info: parseNetworkInfo(r.network_info),
    request_id: requestIds.get(r.uuid) ?? null,
  }));
}

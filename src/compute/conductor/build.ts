// The conductor's build flow (nova.conductor.manager.ComputeTaskManager.schedule_and_build_instances):
// ask Placement for candidates, filter and weigh them (src/compute/scheduler), claim each instance
// on its chosen host (falling down its weighed list on a lost race), record where it landed and
// cast build_and_run_instance to that host. The rest of each instance's list stays in the request
// spec as alternates for build_failed's reschedules. Instances that find no host go to ERROR
// with Nova's NoValidHost fault, and never keep an allocation.
import type { Kysely } from 'kysely';
import type { Bus } from '../../bus/index.js';
import { ServiceApiError } from '../../core/clients/errors.js';
import type { AllocationCandidates, PlacementClient } from '../../core/clients/placement-client.js';
import type { ComputeConfig } from '../config.js';
import type { ComputeDb, InstanceRow } from '../db/schema.js';
import { inTransaction, nextId, nowIso, type ComputeTx } from '../db/transaction.js';
import { findInstanceAction, finishActionEvent, finishInstanceAction, startActionEvent } from '../domain/servers/instance-actions.js';
import { COMPUTE_RPC_TOPIC, type InstanceBuild } from '../rpc/compute-protocol.js';
import {
  loadHostStates, parseRequestSpec, requiredTraits, resourcesFromFlavor, selectHosts, type Alternate, type RequestSpec, type Selection,
} from '../scheduler/index.js';
import type { ScheduleAndBuild } from './instance-protocol.js';

export interface ConductorDeps {
  readonly db: Kysely<ComputeDb>;
  readonly bus: Bus;
  readonly placement: PlacementClient;
  readonly compute: ComputeConfig;
}

/** The event the conductor records on the create action (Nova's wrap_instance_event name). */
export const SCHEDULE_EVENT = 'conductor_schedule_and_build_instances';
export const NO_VALID_HOST = 'No valid host was found. There are not enough hosts available.';

// ---- shared with the agent-facing handlers -----------------------------------------------------

/** The spec of an instance: its own row, parsed; undefined when it has none. */
export async function loadSpec(db: Kysely<ComputeDb>, uuid: string): Promise<{ spec: RequestSpec; raw: Record<string, unknown> } | undefined> {
  const row = await db.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', uuid).executeTakeFirst();
  if (!row) return undefined;
  return { spec: parseRequestSpec(row.spec), raw: JSON.parse(row.spec) as Record<string, unknown> };
}

/** Stores where an instance may go next and how many hosts it tried (the spec's alternates/attempts). */
export async function saveAttempt(trx: ComputeTx, uuid: string, alternates: readonly Alternate[], attempt: number): Promise<void> {
  const row = await trx.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', uuid).executeTakeFirst();
  if (!row) return;
  const raw = JSON.parse(row.spec) as Record<string, unknown>;
  const alts = { ...(raw.alternates as Record<string, unknown> | undefined), [uuid]: alternates };
  const attempts = { ...(raw.attempts as Record<string, unknown> | undefined), [uuid]: attempt };
  await trx.updateTable('nova_request_spec').set({ spec: JSON.stringify({ ...raw, alternates: alts, attempts }), updated_at: nowIso() })
    .where('instance_uuid', '=', uuid).execute();
}

/** PUT /allocations/{uuid} on one node; false when Placement says 409 (no room, or a race). */
export async function claim(placement: PlacementClient, uuid: string, nodeUuid: string, resources: Record<string, number>, spec: Pick<RequestSpec, 'project_id' | 'user_id'>): Promise<boolean> {
  try {
    await placement.putAllocations(uuid, {
      allocations: { [nodeUuid]: { resources } }, project_id: spec.project_id, user_id: spec.user_id, consumer_generation: null,
    });
    return true;
  } catch (err) {
    if (err instanceof ServiceApiError && err.status === 409) return false;
    throw err;
  }
}

/** Drops an instance's allocation; Placement being away must not stop the state change. */
export async function dropAllocation(placement: PlacementClient, uuid: string): Promise<void> {
  try {
    await placement.deleteAllocations(uuid);
  } catch {
    /* the allocation is orphaned; nova-manage placement heal/audit would find it */
  }
}

/** The zone of a host (its aggregates' availability_zone metadata, else the default). */
export async function hostZone(db: Kysely<ComputeDb>, host: string, compute: ComputeConfig): Promise<string> {
  const rows = await db.selectFrom('nova_aggregate_host')
    .innerJoin('nova_aggregate_metadata', 'nova_aggregate_metadata.aggregate_id', 'nova_aggregate_host.aggregate_id')
    .select('nova_aggregate_metadata.value').where('nova_aggregate_host.host', '=', host)
    .where('nova_aggregate_metadata.key', '=', 'availability_zone').orderBy('nova_aggregate_host.aggregate_id').execute();
  const zones = [...new Set(rows.map((r) => r.value))];
  return zones.length > 0 ? zones.join(',') : compute.defaultAvailabilityZone;
}

/** One instance fault (Nova's InstanceFault), its message cut to the column's 255 characters. */
export async function insertFault(trx: ComputeTx, uuid: string, fault: { code: number; message: string; details: string; host: string | null }): Promise<void> {
  await trx.insertInto('nova_instance_fault').values({
    id: await nextId(trx, 'nova_instance_fault'), instance_uuid: uuid, code: fault.code, message: fault.message.slice(0, 255),
    details: fault.details, host: fault.host, created_at: nowIso(),
  }).execute();
}

/**
 * ERROR with a fault (Nova's _set_vm_state_and_notify): the instance (if not deleted meanwhile)
 * goes to vm_state error, task_state null; the event, if given, ends Error and the action ends.
 */
export async function failInstance(db: Kysely<ComputeDb>, uuid: string, requestId: string, fault: { code: number; message: string; details: string; host: string | null }, event?: string,
  options: { clearHost?: boolean } = {}): Promise<void> {
  // A build that failed on a host leaves it (Nova's _nil_out_instance_obj_host_and_node): the
  // agent cleaned up there, the claim is gone, and a delete then needs no host.
  const unplaced = options.clearHost ? { host: null, node: null, compute_node_uuid: null } : {};
  await inTransaction(db, async (trx) => {
    const res = await trx.updateTable('nova_instance').set({ vm_state: 'error', task_state: null, ...unplaced, updated_at: nowIso() })
      .where('uuid', '=', uuid).where('deleted', '=', 0).executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) await insertFault(trx, uuid, fault);
    const action = await findInstanceAction(trx, uuid, requestId);
    if (action) {
      if (event) await finishActionEvent(trx, action.id, event, 'Error');
      else await trx.updateTable('nova_instance_action').set({ message: 'Error' }).where('id', '=', action.id).execute();
      await finishInstanceAction(trx, action.id);
    }
  });
}

/** What the agent needs to build the instance (from its row, metadata and the spec). */
export async function instanceBuild(db: Kysely<ComputeDb>, row: InstanceRow, spec: RequestSpec, nodeUuid: string, zone: string, attempt: number): Promise<InstanceBuild> {
  const meta = await db.selectFrom('nova_instance_metadata').select(['key', 'value']).where('instance_uuid', '=', row.uuid).execute();
  return {
    uuid: row.uuid, project_id: row.project_id, user_id: row.user_id, display_name: row.display_name, hostname: row.hostname,
    flavor: spec.flavor, image_id: row.image_ref, key_name: row.key_name, key_data: row.key_data, user_data: row.user_data,
    config_drive: spec.config_drive || row.config_drive === 'True' || row.config_drive === 'true',
    metadata: Object.fromEntries(meta.map((m) => [m.key, m.value])),
    requested_networks: spec.requested_networks, security_groups: spec.security_groups.length > 0 ? spec.security_groups : ['default'],
    availability_zone: zone, launch_index: row.launch_index, node_uuid: nodeUuid, attempt,
    request_id: spec.request_id || '', admin_password: spec.admin_password,
  };
}

/**
 * Records that the instance goes to `target` (task_state spawning) — only while it is still
 * building and not deleted; returns the row, or undefined when the server is gone or moved on.
 */
export async function recordPlacement(db: Kysely<ComputeDb>, uuid: string, target: { host: string; nodename: string; node_uuid: string; zone: string },
  from: { host: string | null; task_state: string | null }, alternates: readonly Alternate[], attempt: number, requestId: string): Promise<InstanceRow | undefined> {
  return inTransaction(db, async (trx) => {
    let q = trx.updateTable('nova_instance').set({
      host: target.host, node: target.nodename, compute_node_uuid: target.node_uuid, availability_zone: target.zone,
      scheduled_at: nowIso(), task_state: 'spawning', updated_at: nowIso(),
    }).where('uuid', '=', uuid).where('deleted', '=', 0).where('vm_state', '=', 'building');
    q = from.task_state === null ? q.where('task_state', 'is', null) : q.where('task_state', '=', from.task_state);
    q = from.host === null ? q.where('host', 'is', null) : q.where('host', '=', from.host);
    const res = await q.executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return undefined;
    await saveAttempt(trx, uuid, alternates, attempt);
    const action = await findInstanceAction(trx, uuid, requestId);
    if (action && from.task_state === 'scheduling') await finishActionEvent(trx, action.id, SCHEDULE_EVENT, 'Success');
    return trx.selectFrom('nova_instance').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  });
}

// ---- schedule_and_build_instances --------------------------------------------------------------

export interface Claimed {
  readonly uuid: string;
  readonly selection: Selection;
  readonly alternates: Alternate[];
}

async function candidatesFor(deps: ConductorDeps, placement: PlacementClient, spec: RequestSpec, resources: Record<string, number>): Promise<AllocationCandidates> {
  return placement.getAllocationCandidates({
    resources, required: requiredTraits(spec.flavor), limit: deps.compute.scheduler.maxPlacementResults,
  });
}

/** Provider uuids of the candidates, in Placement's order (one provider per request: no sharing providers here). */
function candidateNodes(c: AllocationCandidates): string[] {
  const out = new Set<string>();
  for (const r of c.allocation_requests) for (const rp of Object.keys(r.allocations)) out.add(rp);
  return [...out];
}

export async function select(deps: ConductorDeps, placement: PlacementClient, spec: RequestSpec, resources: Record<string, number>): Promise<Selection[][]> {
  const candidates = await candidatesFor(deps, placement, spec, resources);
  const nodes = candidateNodes(candidates);
  const states = await loadHostStates(deps.db, nodes, candidates.provider_summaries, deps.compute, spec.scheduler_hints.group);
  return selectHosts(spec, nodes, states, deps.compute);
}

/** Claims down the instance's weighed list; the claimed selection and what is left as alternates. */
export async function claimFirst(placement: PlacementClient, uuid: string, list: readonly Selection[], resources: Record<string, number>, spec: RequestSpec): Promise<Claimed | undefined> {
  for (const sel of list) {
    if (await claim(placement, uuid, sel.node_uuid, resources, spec)) {
      return { uuid, selection: sel, alternates: list.filter((s) => s !== sel).map((s) => ({ host: s.host, node_uuid: s.node_uuid })) };
    }
  }
  return undefined;
}

/** Does the instance hold an allocation already (so our claim's 409 was someone else's claim)? */
async function placedElsewhere(placement: PlacementClient, uuid: string): Promise<boolean> {
  const current = await placement.getAllocations(uuid);
  return Object.keys(current.allocations).length > 0;
}

export async function scheduleAndBuildInstances(deps: ConductorDeps, args: ScheduleAndBuild): Promise<void> {
  const rows = await deps.db.selectFrom('nova_instance').selectAll().where('uuid', 'in', [...args.instance_uuids]).execute();
  const byUuid = new Map(rows.map((r) => [r.uuid, r]));
  // Deleted (or already scheduled, on a redelivery) instances are not ours to build.
  const live = args.instance_uuids.map((u) => byUuid.get(u))
    .filter((r): r is InstanceRow => r !== undefined && r.deleted === 0 && r.vm_state === 'building' && r.task_state === 'scheduling');
  if (live.length === 0) return;

  for (const row of live) {
    await inTransaction(deps.db, async (trx) => {
      const action = await findInstanceAction(trx, row.uuid, args.request_id);
      if (action) await startActionEvent(trx, action.id, SCHEDULE_EVENT, null);
    });
  }
  const noHost = (uuid: string, message = NO_VALID_HOST): Promise<void> =>
    failInstance(deps.db, uuid, args.request_id, { code: 500, message, details: '', host: null }, SCHEDULE_EVENT);

  let loaded: Awaited<ReturnType<typeof loadSpec>>;
  try {
    loaded = await loadSpec(deps.db, live[0]!.uuid);
  } catch (err) {
    for (const row of live) await noHost(row.uuid, `Invalid request spec: ${(err as Error).message}`);
    return;
  }
  if (!loaded) {
    for (const row of live) await noHost(row.uuid, 'Invalid request spec: the instance has none');
    return;
  }
  const spec: RequestSpec = { ...loaded.spec, instance_uuids: live.map((r) => r.uuid), request_id: loaded.spec.request_id || args.request_id };
  const placement = deps.placement.withRequestId(args.request_id);
  const resources = resourcesFromFlavor(spec.flavor, spec.image.id === '');

  const claimed: Claimed[] = [];
  // Instances another conductor claimed meanwhile (a redelivered cast, or a restarted conductor
  // rescheduling what it found in scheduling): theirs to record and cast, never ours to fail.
  const elsewhere = new Set<string>();
  try {
    let selections = await select(deps, placement, spec, resources);
    for (const [i, row] of live.entries()) {
      let got = await claimFirst(placement, row.uuid, selections[i] ?? [], resources, spec);
      if (!got && (selections[i] ?? []).length > 0) {
        // Every host on the list lost its room to someone else: ask Placement again for the rest.
        const rest: RequestSpec = { ...spec, instance_uuids: spec.instance_uuids.slice(i) };
        const fresh = await select(deps, placement, rest, resources);
        selections = [...selections.slice(0, i), ...fresh];
        got = await claimFirst(placement, row.uuid, selections[i] ?? [], resources, spec);
      }
      if (got) claimed.push(got);
      else if (await placedElsewhere(placement, row.uuid)) elsewhere.add(row.uuid);
    }
  } catch (err) {
    // Placement unreachable or broken: nothing can be placed; give back what was claimed.
    for (const c of claimed) await dropAllocation(placement, c.uuid);
    for (const row of live) if (!elsewhere.has(row.uuid)) await noHost(row.uuid, `${NO_VALID_HOST} ${(err as Error).message}`.slice(0, 255));
    return;
  }

  const minCount = Math.min(spec.min_count, live.length);
  if (claimed.length + elsewhere.size < Math.max(minCount, 1)) {
    for (const c of claimed) await dropAllocation(placement, c.uuid);
    for (const row of live) if (!elsewhere.has(row.uuid)) await noHost(row.uuid);
    return;
  }
  const claimedUuids = new Set(claimed.map((c) => c.uuid));
  for (const row of live) if (!claimedUuids.has(row.uuid) && !elsewhere.has(row.uuid)) await noHost(row.uuid);

  for (const c of claimed) {
    const zone = await hostZone(deps.db, c.selection.host, deps.compute);
    const row = await recordPlacement(deps.db, c.uuid, { ...c.selection, zone }, { host: null, task_state: 'scheduling' }, c.alternates, 1, args.request_id);
    if (!row) {
      // Deleted (or otherwise moved on) while we scheduled it: its allocation must not stay.
      await dropAllocation(placement, c.uuid);
      continue;
    }
    const build = await instanceBuild(deps.db, row, { ...spec, request_id: args.request_id }, c.selection.node_uuid, zone, 1);
    await deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host: c.selection.host }, 'build_and_run_instance', { build: build as unknown as Record<string, unknown> });
  }
}

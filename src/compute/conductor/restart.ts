// What a (re)starting conductor picks up. schedule_and_build_instances is a cast: when the
// process that held it dies (the memory bus keeps nothing; a broker may redeliver to anyone), its
// servers would sit in BUILD/scheduling forever. So at start every server still waiting for a host
// (vm_state building, task_state scheduling, not deleted, with its request spec) is scheduled again,
// one request at a time, under the request id of its `create` action.
// Running twice at once (a redelivered cast, another conductor starting) is safe: scheduling takes
// only servers still in scheduling, a claim is per consumer (a 409 on a server that holds an
// allocation means someone else placed it: build.ts leaves it to them), and recording the host is
// conditional on task_state scheduling, so only one build is ever cast.
// A conductor that died between its claim and recording the host leaves an allocation nobody
// will use. A live conductor records within seconds, so a server still in scheduling whose row is
// older than `staleAfterMs` (service_down_time) has its allocation dropped before it is scheduled;
// younger ones that hold one are left to their conductor, and looked at again once they are that
// old (`retryAfterMs`: serveConductor runs a second pass then).
// Servers in building/spawning already have a host: if its compute service is down (longer than
// service_down_time, or forever), they are left as they are on purpose: the agent's init_host
// (src/compute/agent/init-host.ts) cleans the build up and sets ERROR when it comes back, and
// rescheduling them here could leave a second guest running on the old host.
import { randomUUID } from 'node:crypto';
import { dropAllocation, failInstance, NO_VALID_HOST, SCHEDULE_EVENT, scheduleAndBuildInstances, type ConductorDeps } from './build.js';
import type { ScheduleAndBuild } from './instance-protocol.js';

/**
 * schedule_and_build_instances for one request. A cast has nobody to answer: on an unexpected
 * error the request's servers still waiting for a host go to ERROR before the error is rethrown.
 */
export async function scheduleOrFail(deps: ConductorDeps, args: ScheduleAndBuild): Promise<void> {
  try {
    await scheduleAndBuildInstances(deps, args);
  } catch (err) {
    const stuck = await deps.db.selectFrom('nova_instance').select('uuid').where('uuid', 'in', [...args.instance_uuids])
      .where('deleted', '=', 0).where('task_state', '=', 'scheduling').execute();
    for (const s of stuck) {
      await failInstance(deps.db, s.uuid, args.request_id, { code: 500, message: NO_VALID_HOST, details: String((err as Error).message ?? err), host: null }, SCHEDULE_EVENT);
    }
    throw err;
  }
}

interface Waiting extends ScheduleAndBuild {
  /** updated_at of each server (unchanged since the API wrote it while in scheduling). */
  readonly updatedAt: ReadonlyMap<string, string>;
}

/** The requests whose servers wait for a host, oldest first. */
export async function waitingForHost(deps: Pick<ConductorDeps, 'db'>): Promise<Waiting[]> {
  const rows = await deps.db.selectFrom('nova_instance')
    .innerJoin('nova_request_spec', 'nova_request_spec.instance_uuid', 'nova_instance.uuid')
    .select(['nova_instance.uuid', 'nova_instance.updated_at'])
    .where('nova_instance.deleted', '=', 0).where('nova_instance.vm_state', '=', 'building').where('nova_instance.task_state', '=', 'scheduling')
    .orderBy('nova_instance.id').execute();
  if (rows.length === 0) return [];
  const actions = await deps.db.selectFrom('nova_instance_action').select(['instance_uuid', 'request_id'])
    .where('action', '=', 'create').where('instance_uuid', 'in', rows.map((r) => r.uuid)).orderBy('id').execute();
  const requestOf = new Map(actions.map((a) => [a.instance_uuid, a.request_id]));
  const byRequest = new Map<string, { uuid: string; updated_at: string }[]>();
  for (const row of rows) {
    // No create action (rows made by hand): a request of its own, its events have nowhere to go.
    const requestId = requestOf.get(row.uuid) ?? `req-${randomUUID()}`;
    byRequest.set(requestId, [...(byRequest.get(requestId) ?? []), row]);
  }
  return [...byRequest].map(([request_id, list]) => ({
    request_id, instance_uuids: list.map((r) => r.uuid), updatedAt: new Map(list.map((r) => [r.uuid, r.updated_at])),
  }));
}

export interface ResumeOptions {
  /** How long a server may sit in scheduling with an allocation before the claim counts as abandoned. */
  readonly staleAfterMs: number;
  readonly now?: () => number;
}

export interface ResumeResult {
  readonly requests: number;
  readonly instances: string[];
  /** Abandoned claims dropped before scheduling again. */
  readonly staleClaims: string[];
  /** When to look again for servers too young to judge (undefined: none). */
  readonly retryAfterMs: number | undefined;
  readonly errors: unknown[];
}

/** Schedules again every request left waiting for a host; never rejects (errors are returned). */
export async function resumeScheduling(deps: ConductorDeps, options: ResumeOptions): Promise<ResumeResult> {
  const now = (options.now ?? Date.now)();
  const instances: string[] = [];
  const staleClaims: string[] = [];
  const errors: unknown[] = [];
  let youngest: number | undefined;
  let requests: Waiting[];
  try {
    requests = await waitingForHost(deps);
  } catch (err) {
    return { requests: 0, instances, staleClaims, retryAfterMs: undefined, errors: [err] };
  }
  for (const request of requests) {
    try {
      const placement = deps.placement.withRequestId(request.request_id);
      for (const uuid of request.instance_uuids) {
        const age = now - Date.parse(request.updatedAt.get(uuid) ?? '');
        if (Number.isNaN(age) || age >= options.staleAfterMs) {
          if (Object.keys((await placement.getAllocations(uuid)).allocations).length > 0) {
            await dropAllocation(placement, uuid);
            staleClaims.push(uuid);
          }
        } else {
          youngest = Math.min(youngest ?? Infinity, age);
        }
      }
      await scheduleOrFail(deps, request);
    } catch (err) {
      errors.push(err);
    }
    instances.push(...request.instance_uuids);
  }
  const retryAfterMs = youngest === undefined ? undefined : Math.max(0, options.staleAfterMs - youngest) + 1000;
  return { requests: requests.length, instances, staleClaims, retryAfterMs, errors };
}

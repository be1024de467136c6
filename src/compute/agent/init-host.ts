// What a (re)starting compute agent does about the servers the conductor places on its host
// before it serves RPC (Nova's ComputeManager.init_host → _init_instance): the task each was in
// when the previous agent process died is finished or undone, so no server stays in a transitional
// state forever.
//   evacuated away             → first of all, the servers evacuated while this host was down lose
//                                their guest and files here (evacuate-ops.ts; Nova's
//                                _destroy_evacuated_instances): they live on another host now
//   task_state deleting        → the terminate again (Nova: _delete_instance); it wins over
//                                building: the user asked for the server to go
//   vm_state building          → the build is over: the guest, the instance directory and the
//                                ports it made (build.json) go, the build event ends Error, and
//                                build_failed without reschedule sets ERROR with a fault and
//                                drops the allocation (Nova: _set_instance_obj_error_state)
//   powering-off / powering-on → the stop / start again
//   rebooting*                 → the reboot again (Nova's _retry_reboot): SOFT only if it was a
//                                soft one and the guest runs, else HARD; a reboot that had
//                                started and whose guest runs just has its task cleared
//   rescuing                   → finished if build.json already says rescued, else ERROR as a
//                                failed rescue (rescue-ops.ts finishInterruptedRescue)
//   unrescuing                 → the unrescue again (it is idempotent)
//   anything else              → the power state sync (power-sync.ts) as after any start
// Servers with an operation running in this process are left alone. The resumed operations run
// under the manager's per-server lock; `done` resolves when they have finished.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import { POWER_STATE, type InstanceOnHost } from '../conductor/instance-protocol.js';
import type { VifInfo } from '../rpc/compute-protocol.js';
import type { InstanceRecord } from './instance-files.js';
import { ACTION_EVENTS, type InstanceManager } from './manager.js';
import type { RebootType } from './rpc-handlers.js';
import type { InstancePort } from './vifs.js';
import { finishInterruptedRescue } from './rescue-ops.js';
import { destroyEvacuatedInstances } from './evacuate-ops.js';

export const BUILD_INTERRUPTED = 'Instance build was interrupted: the compute agent restarted';

export type ResumedTask = 'terminate' | 'stop' | 'start' | 'reboot-soft' | 'reboot-hard' | 'rescue' | 'unrescue';

export interface InitHostResult {
  /** Servers evacuated away while this host was down, whose copies here were destroyed. */
  readonly evacuated: string[];
  /** Builds given up on (cleaned up, build_failed sent). */
  readonly abandonedBuilds: string[];
  /** Operations started again, in the order of instances_on_host. */
  readonly resumed: { readonly uuid: string; readonly task: ResumedTask }[];
  /** Reboots that had got far enough: task cleared, guest left running. */
  readonly rebootsCleared: string[];
  /** Resolves (never rejects) when the resumed operations have finished. */
  readonly done: Promise<void>;
}

const SOFT_REBOOT = ['rebooting', 'reboot_pending', 'reboot_started'];
const HARD_REBOOT = ['rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard'];
const REBOOT_STARTED = ['reboot_started', 'reboot_started_hard'];

export async function initHost(manager: InstanceManager, logger: Logger): Promise<InitHostResult> {
  const result = { abandonedBuilds: [] as string[], resumed: [] as { uuid: string; task: ResumedTask }[], rebootsCleared: [] as string[] };
  const running: Promise<void>[] = [];
  // Guests that survived the restart are reconnected first: power states below are real ones.
  await manager.adoptRunning();
  const evacuated = await destroyEvacuatedInstances(manager, logger);
  const instances = await manager.conductor<InstanceOnHost[]>('instances_on_host', { host: manager.host });
  for (const instance of instances) {
    const { uuid } = instance;
    if (manager.isBusy(uuid)) continue;
    const log = logger.child({ instance: uuid, vm_state: instance.vm_state, task_state: instance.task_state });
    // Without the conductor's request id (an older conductor) the action events find no action: harmless.
    const request_id = instance.request_id ?? `req-${randomUUID()}`;
    const resume = (task: ResumedTask, work: Promise<void>): void => {
      log.info({ task }, 'resuming the task interrupted by the agent restart');
      result.resumed.push({ uuid, task });
      running.push(work);
    };
    try {
      if (instance.task_state === 'deleting') {
        // terminate releases what build.json lists: make sure the user's ports are there as theirs.
        const record = await manager.files.loadRecord(uuid);
        if (record) await manager.files.saveRecord({ build: record.build, ports: portsOf(record, instance.network_info) });
        resume('terminate', manager.terminateInstance({ uuid, request_id }));
      } else if (instance.vm_state === 'building') {
        await abandonBuild(manager, instance, request_id, log);
        result.abandonedBuilds.push(uuid);
      } else if (instance.task_state === 'powering-off') {
        resume('stop', manager.stopInstance({ uuid, request_id }));
      } else if (instance.task_state === 'powering-on') {
        resume('start', manager.startInstance({ uuid, request_id }));
      } else if (instance.task_state === 'rescuing') {
        resume('rescue', finishInterruptedRescue(manager, { uuid, request_id }));
      } else if (instance.task_state === 'unrescuing') {
        resume('unrescue', manager.unrescueInstance({ uuid, request_id }));
      } else if (instance.task_state !== null && (SOFT_REBOOT.includes(instance.task_state) || HARD_REBOOT.includes(instance.task_state))) {
        const outcome = await retryReboot(manager, instance, request_id, log);
        if (outcome === 'cleared') result.rebootsCleared.push(uuid);
        else if (outcome !== undefined) resume(outcome === 'HARD' ? 'reboot-hard' : 'reboot-soft', manager.rebootInstance({ uuid, request_id, reboot_type: outcome }));
      }
    } catch (err) {
      // One server's trouble must not keep the host from starting; the next restart tries again.
      log.error({ err }, 'could not handle the instance at start-up');
    }
  }
  return { ...result, evacuated, done: Promise.allSettled(running).then(() => undefined) };
}

/**
 * A build the previous process did not finish: everything it took is given back, then the
 * conductor sets ERROR (no reschedule: the request may well have been fine, but a build that was
 * cut off is not retried behind the user's back, as in Nova).
 */
async function abandonBuild(manager: InstanceManager, instance: InstanceOnHost, requestId: string, log: Logger): Promise<void> {
  const { uuid } = instance;
  const record = await manager.files.loadRecord(uuid);
  const request_id = record?.build.request_id || requestId;
  log.warn({ request_id, recorded: record !== undefined }, 'build interrupted by the agent restart; cleaning up');
  await manager.driver.destroy(uuid).catch((err: unknown) => log.error({ err }, 'destroying the guest failed'));
  const released = await manager.vifs.release(uuid, portsOf(record, instance.network_info)).then(() => true, (err: unknown) => {
    log.error({ err }, 'releasing the ports failed');
    return false;
  });
  // Ports left behind stay recorded in build.json, so the server's delete still finds them.
  if (released) await manager.files.remove(uuid).catch((err: unknown) => log.error({ err }, 'removing the instance files failed'));
  await manager.conductor('action_event_finish', {
    uuid, request_id, event: ACTION_EVENTS.build, host: manager.host, result: 'Error', traceback: BUILD_INTERRUPTED,
  }).catch((err: unknown) => log.warn({ err }, 'action_event_finish failed'));
  await manager.conductor('build_failed', { uuid, host: manager.host, request_id, reason: BUILD_INTERRUPTED, reschedule: false });
}

/**
 * The ports of an interrupted build, as release() wants them: what build.json recorded, plus the
 * user's requested ports and the cache's preserved ports it may not have recorded yet (a port the
 * user gave is only ever unbound; anything else bound to the server is deleted by release()).
 */
export function portsOf(record: InstanceRecord | undefined, cache: readonly VifInfo[]): InstancePort[] {
  const ports: InstancePort[] = [...(record?.ports ?? [])];
  const known = new Set(ports.map((p) => p.id));
  const theirs = (id: string): void => {
    if (known.has(id)) return;
    known.add(id);
    ports.push({ id, mac: '', tap: '', mtu: null, created: false });
  };
  for (const requested of record?.build.requested_networks ?? []) if ('port_id' in requested) theirs(requested.port_id);
  for (const vif of cache) if (vif.preserve_on_delete) theirs(vif.id);
  return ports;
}

/**
 * Nova's _retry_reboot: the type of the reboot to run again, 'cleared' when a started reboot left
 * a running guest (its task is cleared), undefined when the server changed meanwhile.
 */
async function retryReboot(manager: InstanceManager, instance: InstanceOnHost, requestId: string, log: Logger): Promise<RebootType | 'cleared' | undefined> {
  const { uuid } = instance;
  const task = instance.task_state!;
  const power = await manager.driver.powerState(uuid);
  const running = power === POWER_STATE.RUNNING;
  if (REBOOT_STARTED.includes(task) && running) {
    log.warn({ power }, 'reboot interrupted after it started; the guest runs: clearing the task');
    const r = await manager.instanceUpdate(uuid, { vm_state: 'active', task_state: null, power_state: power }, [task]);
    await manager.conductor('action_event_finish', {
      uuid, request_id: requestId, event: ACTION_EVENTS.reboot, host: manager.host, result: 'Error',
      traceback: 'The reboot was interrupted by a compute agent restart; the guest was found running.',
    }).catch(() => undefined);
    return r.updated ? 'cleared' : undefined;
  }
  // A soft reboot needs a guest that listens; one that is down gets a hard one (get_reboot_type).
  const type: RebootType = SOFT_REBOOT.includes(task) && running ? 'SOFT' : 'HARD';
  // rebootInstance takes the request from the "pending" states: put the task back there.
  const pending = type === 'HARD' ? 'reboot_pending_hard' : 'reboot_pending';
  if (task !== pending && task !== (type === 'HARD' ? 'rebooting_hard' : 'rebooting')) {
    const r = await manager.instanceUpdate(uuid, { task_state: pending }, [task]);
    if (!r.updated) return undefined;
  }
  return type;
}

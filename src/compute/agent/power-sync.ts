// Nova's _sync_power_states (every 60 s, and once when the agent starts): the conductor's view of
// the host's servers (instances_on_host) against the QEMU processes that really run.
//   - a guest still running from before an agent restart is re-adopted (its QMP reconnected);
//   - an active server whose QEMU is gone "shut down by itself": power_state SHUTDOWN, vm_state
//     stopped (Nova calls the stop API for it);
//   - a stopped server whose guest runs is powered off (Nova: "Instance is not stopped. Calling
//     the stop API.");
//   - otherwise a differing power_state is corrected.
// Servers with a task in progress (task_state set, or an operation running here) are skipped,
// as Nova skips them. Guests running without a server are only logged (Nova's
// running_deleted_instance_action default waits 30 min and then reaps; we leave them to the admin).
import type { Logger } from '../../core/logger.js';
import { POWER_STATE, type InstanceOnHost } from '../conductor/instance-protocol.js';
import type { InstanceManager } from './manager.js';

export interface PowerSyncResult {
  readonly adopted: string[];
  readonly markedStopped: string[];
  readonly poweredOff: string[];
  readonly powerStateFixed: string[];
  readonly orphans: string[];
}

export class PowerSync {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PowerSyncResult | undefined> | undefined;

  constructor(private readonly manager: InstanceManager, private readonly logger: Logger, private readonly intervalMs = 60_000) {}

  /** One sync now (joining one in progress), then every intervalMs. */
  async start(): Promise<PowerSyncResult | undefined> {
    const first = await this.syncNow();
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.syncNow(), this.intervalMs);
      this.#timer.unref?.();
    }
    return first;
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Never rejects: a failed sync is logged and retried at the next tick (undefined). */
  syncNow(): Promise<PowerSyncResult | undefined> {
    this.#running ??= this.#sync()
      .catch((err: unknown) => { this.logger.warn({ err }, 'power state sync failed'); return undefined; })
      .finally(() => { this.#running = undefined; });
    return this.#running;
  }

  async #sync(): Promise<PowerSyncResult> {
    const m = this.manager;
    const result: PowerSyncResult = { adopted: [], markedStopped: [], poweredOff: [], powerStateFixed: [], orphans: [] };
    const adopted = await m.adoptRunning();
    result.adopted.push(...adopted.keys());
    const instances = await m.conductor<InstanceOnHost[]>('instances_on_host', { host: m.host });
    const known = new Set(instances.map((i) => i.uuid));
    for (const uuid of adopted.keys()) {
      if (!known.has(uuid)) {
        result.orphans.push(uuid);
        this.logger.warn({ instance: uuid }, 'a guest runs on this host for a server that is not here');
      }
    }
    for (const instance of instances) {
      if (instance.task_state !== null || m.isBusy(instance.uuid)) continue;
      const running = adopted.has(instance.uuid);
      const power = running ? await m.driver.powerState(instance.uuid) : POWER_STATE.SHUTDOWN;
      const log = this.logger.child({ instance: instance.uuid, vm_state: instance.vm_state, power_state: instance.power_state, actual: power });
      if (instance.vm_state === 'active' && !running) {
        log.warn('instance shut down by itself; recording it stopped');
        const r = await m.instanceUpdate(instance.uuid, { vm_state: 'stopped', power_state: POWER_STATE.SHUTDOWN }, [null]);
        if (r.updated) result.markedStopped.push(instance.uuid);
      } else if (instance.vm_state === 'stopped' && running && power === POWER_STATE.RUNNING) {
        log.warn('instance is not stopped; powering it off');
        await m.driver.powerOff(instance.uuid);
        await m.instanceUpdate(instance.uuid, { power_state: POWER_STATE.SHUTDOWN }, [null]);
        result.poweredOff.push(instance.uuid);
      } else if (power !== instance.power_state && ['active', 'stopped', 'error'].includes(instance.vm_state)) {
        const r = await m.instanceUpdate(instance.uuid, { power_state: power }, [null]);
        if (r.updated) result.powerStateFixed.push(instance.uuid);
      }
    }
    return result;
  }
}

// Waiting for Neutron's network-vif-plugged events (Nova's virtapi wait_for_instance_event).
// The L2 agent may report a port ACTIVE — and the network service send the event — before the
// build starts waiting (the tap can be plugged the moment QEMU creates it), so events nobody
// waits for are kept per instance for a while and consumed by the next wait; a port that is
// already ACTIVE when the wait starts counts as plugged too.
import type { InstanceEvent } from '../rpc/compute-protocol.js';

export class VifPlugTimeoutError extends Error {
  constructor(readonly uuid: string, readonly ports: readonly string[], timeoutMs: number) {
    super(`Timeout waiting for [${ports.map((p) => `('network-vif-plugged', '${p}')`).join(', ')}] for instance with vm_state building and task_state spawning (${Math.round(timeoutMs / 1000)} s)`);
    this.name = 'VifPlugTimeoutError';
  }
}

export class VifPlugFailedError extends Error {
  constructor(readonly uuid: string, readonly port: string) {
    super(`Neutron reported failure on event network-vif-plugged-${port} for instance ${uuid}`);
    this.name = 'VifPlugFailedError';
  }
}

export class WaitCancelledError extends Error {
  constructor(readonly uuid: string, reason: string) {
    super(`waiting for events of instance ${uuid} cancelled: ${reason}`);
    this.name = 'WaitCancelledError';
  }
}

interface Pending {
  readonly uuid: string;
  readonly left: Set<string>;
  settle(error?: Error): void;
}

export interface EventWaiterOptions {
  /** How long an event nobody waited for is kept (default 10 min). */
  readonly keepEarlyMs?: number;
}

export const VIF_PLUGGED = 'network-vif-plugged';

export class EventWaiter {
  readonly #pending = new Set<Pending>();
  /** uuid → tag → {status, at} of events that arrived before anyone waited. */
  readonly #early = new Map<string, Map<string, { status: string; at: number }>>();
  readonly #keepMs: number;

  constructor(options: EventWaiterOptions = {}) {
    this.#keepMs = options.keepEarlyMs ?? 600_000;
  }

  /** An event from the network service (via the API and the bus). */
  deliver(event: InstanceEvent): void {
    if (event.name !== VIF_PLUGGED || event.tag === undefined || event.status === 'in-progress') return;
    for (const wait of this.#pending) {
      if (wait.uuid !== event.server_uuid || !wait.left.has(event.tag)) continue;
      if (event.status === 'failed') return wait.settle(new VifPlugFailedError(wait.uuid, event.tag));
      wait.left.delete(event.tag);
      if (wait.left.size === 0) wait.settle();
      return;
    }
    this.#prune();
    let byTag = this.#early.get(event.server_uuid);
    if (!byTag) this.#early.set(event.server_uuid, (byTag = new Map()));
    byTag.set(event.tag, { status: event.status, at: Date.now() });
  }

  /**
   * Resolves once every port of `ports` is plugged: by an event (early or not), or because
   * `isActive(port)` says it is ACTIVE already. Rejects on a failed event, the timeout or cancel().
   */
  wait(uuid: string, ports: readonly string[], timeoutMs: number, isActive?: (port: string) => Promise<boolean>): Promise<void> {
    const left = new Set(ports);
    const early = this.#early.get(uuid);
    for (const port of ports) {
      const e = early?.get(port);
      if (!e || Date.now() - e.at > this.#keepMs) continue;
      early!.delete(port);
      if (e.status === 'failed') return Promise.reject(new VifPlugFailedError(uuid, port));
      left.delete(port);
    }
    if (early?.size === 0) this.#early.delete(uuid);
    if (left.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => wait.settle(new VifPlugTimeoutError(uuid, [...left], timeoutMs)), timeoutMs);
      const wait: Pending = {
        uuid, left,
        settle: (error) => {
          if (!this.#pending.delete(wait)) return;
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        },
      };
      this.#pending.add(wait);
      if (isActive) {
        for (const port of [...left]) {
          void isActive(port).then((active) => {
            if (!active || !left.has(port)) return;
            left.delete(port);
            if (left.size === 0) wait.settle();
          }, () => undefined);
        }
      }
    });
  }

  /** Ends the waits of an instance (it is being deleted, or the agent stops). */
  cancel(uuid: string | undefined, reason: string): void {
    for (const wait of [...this.#pending]) {
      if (uuid === undefined || wait.uuid === uuid) wait.settle(new WaitCancelledError(wait.uuid, reason));
    }
    if (uuid !== undefined) this.#early.delete(uuid);
  }

  /** Forgets the early events of an instance (terminated). */
  forget(uuid: string): void {
    this.#early.delete(uuid);
  }

  #prune(): void {
    const now = Date.now();
    for (const [uuid, byTag] of this.#early) {
      for (const [tag, e] of byTag) if (now - e.at > this.#keepMs) byTag.delete(tag);
      if (byTag.size === 0) this.#early.delete(uuid);
    }
  }
}

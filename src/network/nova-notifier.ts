// Neutron's nova notifier (neutron/notifiers/nova.py): tells the compute service about port
// changes of its servers through POST /os-server-external-events — a port plugged by the L2 agent
// (network-vif-plugged, what a build waits for), unplugged, deleted, or whose addresses changed
// (network-changed, a floating IP (dis)associated). Only ports of compute devices count (device
// owner `compute:*` and a device id). Events are batched for ~50 ms and sent with the service
// credentials; delivery is best effort: failures are logged, never retried, never fail the port
// operation that caused them, and the queue is bounded so a dead compute API cannot eat memory.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { serviceAuth } from '../core/admin-credentials.js';
import { HttpClient } from '../core/clients/http-client.js';
import type { NetworkDb } from './db/schema.js';

export const VIF_PLUGGED = 'network-vif-plugged';
export const VIF_UNPLUGGED = 'network-vif-unplugged';
export const VIF_DELETED = 'network-vif-deleted';
export const NETWORK_CHANGED = 'network-changed';

export interface NovaEvent {
  readonly name: string;
  readonly server_uuid: string;
  readonly tag: string;
  readonly status: 'completed' | 'failed';
}

/** The port fields the notifier looks at. */
export interface NotifiedPort {
  readonly id: string;
  readonly device_id: string;
  readonly device_owner: string;
}

/** One POST of a batch; resolves with the HTTP status (404: none of the servers exists). */
export type EventSender = (events: readonly NovaEvent[]) => Promise<number>;

export interface NovaNotifierOptions {
  readonly send: EventSender;
  readonly logger: Logger;
  /** Neutron's send_events_interval, shortened: builds wait on these events. Default 50 ms. */
  readonly batchMs?: number;
  /** Events beyond this many waiting are dropped (and logged). Default 1000. */
  readonly maxQueued?: number;
  /** For floating IP changes, which carry only port ids. */
  readonly db?: Kysely<NetworkDb>;
}

/** Neutron's is_compute_nova_port check (_can_notify). */
export function isComputePort(port: NotifiedPort): boolean {
  return port.device_id !== '' && port.device_owner.startsWith('compute:');
}

/**
 * record_port_status_changed: ACTIVE→DOWN is an unplug; DOWN/BUILD (or a new port) → ACTIVE a
 * completed plug, → ERROR a failed plug; every other transition is of no interest to Nova.
 */
export function statusChangeEvent(port: NotifiedPort, previous: string | undefined, current: string): NovaEvent | undefined {
  if (!isComputePort(port)) return undefined;
  const base = { server_uuid: port.device_id, tag: port.id };
  if (previous === 'ACTIVE' && current === 'DOWN') return { ...base, name: VIF_UNPLUGGED, status: 'completed' };
  if ((previous === undefined || previous === 'DOWN' || previous === 'BUILD') && (current === 'ACTIVE' || current === 'ERROR')) {
    return { ...base, name: VIF_PLUGGED, status: current === 'ACTIVE' ? 'completed' : 'failed' };
  }
  return undefined;
}

export class NovaNotifier {
  private queue: NovaEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private readonly batchMs: number;
  private readonly maxQueued: number;
  private dropped = 0;
  private readonly lookups = new Set<Promise<void>>();

  constructor(private readonly options: NovaNotifierOptions) {
    this.batchMs = options.batchMs ?? 50;
    this.maxQueued = options.maxQueued ?? 1000;
  }

  /** A port's status changed from `previous` to `current` (after the commit). */
  portStatusChanged(port: NotifiedPort, previous: string | undefined, current: string): void {
    const event = statusChangeEvent(port, previous, current);
    if (event !== undefined) this.enqueue(event);
  }

  /**
   * The L2 agent's update_port_status changed these ports to `current`. Agents report only ACTIVE
   * and DOWN and a compute port is never anything else here, so each was in the other status.
   */
  agentReported(ports: readonly NotifiedPort[], current: 'ACTIVE' | 'DOWN'): void {
    for (const port of ports) this.portStatusChanged(port, current === 'ACTIVE' ? 'DOWN' : 'ACTIVE', current);
  }

  /** The port was deleted (send_port_delete_event). */
  portDeleted(port: NotifiedPort): void {
    if (isComputePort(port)) this.enqueue({ name: VIF_DELETED, server_uuid: port.device_id, tag: port.id, status: 'completed' });
  }

  /** The port's addresses changed as Nova sees them (its info cache needs a refresh). */
  portChanged(port: NotifiedPort): void {
    if (isComputePort(port)) this.enqueue({ name: NETWORK_CHANGED, server_uuid: port.device_id, tag: port.id, status: 'completed' });
  }

  /**
   * A floating IP moved from port `before` to port `after` (either may be null): network-changed
   * for each compute port involved (send_network_change for the floating IP operations).
   */
  floatingIpChanged(before: string | null, after: string | null): void {
    const db = this.options.db;
    if (before === after || db === undefined) return;
    const ids = [before, after].filter((id): id is string => id !== null);
    const lookup = db.selectFrom('net_port').select(['id', 'device_id', 'device_owner']).where('id', 'in', ids).execute()
      .then((ports) => { for (const port of ports) this.portChanged(port); })
      .catch((err: unknown) => this.options.logger.warn({ err: String(err) }, 'nova notifier: floating IP port lookup failed'))
      .finally(() => this.lookups.delete(lookup));
    this.lookups.add(lookup);
  }

  /** Sends what is queued now and waits for every send under way (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.lookups]);
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.sending !== undefined || this.queue.length > 0) {
      if (this.sending !== undefined) await this.sending;
      else this.sendBatch();
    }
  }

  private enqueue(event: NovaEvent): void {
    if (this.queue.length >= this.maxQueued) {
      // Logged once per overflow episode, not per event.
      if (this.dropped++ === 0) this.options.logger.warn({ maxQueued: this.maxQueued }, 'nova notifier: queue full, dropping events');
      return;
    }
    this.queue.push(event);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.sending !== undefined) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.sendBatch(); }, this.batchMs);
    // Pending notifications never keep a process alive.
    this.timer.unref();
  }

  /** One POST with everything queued; one send at a time, what arrives meanwhile waits for the next. */
  private sendBatch(): void {
    if (this.sending !== undefined || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    if (this.dropped > 0) {
      this.options.logger.warn({ dropped: this.dropped }, 'nova notifier: events dropped');
      this.dropped = 0;
    }
    // Through a promise: a sender that throws (no credentials, say) is logged like a failed send.
    this.sending = Promise.resolve().then(() => this.options.send(batch))
      .then((status) => {
        // 404: none of the servers exists any more (deleted meanwhile), which is fine.
        this.options.logger.debug({ status, events: batch.length }, 'nova notifier: events sent');
      })
      .catch((err: unknown) => {
        this.options.logger.warn({ err: String(err), events: batch.length }, 'nova notifier: sending events to the compute service failed');
      })
      .finally(() => {
        this.sending = undefined;
        if (this.queue.length > 0) this.schedule();
      });
  }
}

/** POSTs to {compute}/os-server-external-events with `client` (a 404 is an answer, not an error). */
export function httpEventSender(client: HttpClient): EventSender {
  return async (events) => {
    const res = await client.post<unknown>('/os-server-external-events', { events }, { accept: [404], retry: false });
    return res.status;
  };
}

/**
 * The notifier a network service gets unless switched off (network.notifyNovaOnPortStatusChanges,
 * NIMBUS_NOTIFY_NOVA=0): the service credentials and the compute endpoint of the configuration.
 * Nothing authenticates until the first event is sent.
 */
export function defaultNovaNotifier(config: NimbusConfig, db: Kysely<NetworkDb>, logger?: Logger): NovaNotifier | undefined {
  if (!config.network.notifyNovaOnPortStatusChanges) return undefined;
  const log = logger ?? createLogger(config.logLevel, 'nova-notifier');
  let client: HttpClient;
  try {
    client = new HttpClient({ service: 'compute', auth: serviceAuth(config), timeoutMs: 10_000 });
  } catch (err) {
    // No admin password to be had (an unwritable data directory): the network service runs without.
    log.warn({ err: String(err) }, 'nova notifier: no service credentials, compute will not hear of port events');
    return undefined;
  }
  return new NovaNotifier({ send: httpEventSender(client), db, logger: log });
}

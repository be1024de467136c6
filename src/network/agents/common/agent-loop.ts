// Runs one agent as a level-triggered reconciler (../docs/dataplane.md): reconcile on start, soon
// after any notification that may change its desired state (debounced, coalesced), and on a
// periodic full resync; heartbeat with report_state. A failed reconcile is retried with backoff;
// it never stops the loop. Reconciles of one agent never overlap.
import type { Bus, Subscription } from '../../../bus/index.js';
import type { Logger } from '../../../core/logger.js';
import { REPORTS_TOPIC } from '../../rpc/report-state.js';
import { AGENT_BINARIES, AGENT_TYPES } from './state.js';

export interface AgentSettings {
  /** The agent's host name, as ports' binding:host_id and `openstack network agent list` show it. */
  readonly host: string;
  /** The host's network namespace on a simulated host; undefined on a real host (root namespace). */
  readonly netns?: string;
  /** Prefix of the namespaces the agent creates ('' on a real host, `<netns>-` on a simulated one). */
  readonly namespacePrefix: string;
  /** Where the agent keeps files (dnsmasq/haproxy configs, pidfiles, sockets). */
  readonly stateDir: string;
}

export interface ReconcilingAgent {
  readonly kind: 'l2' | 'dhcp' | 'l3' | 'metadata';
  /** Reads the desired state, diffs it against the kernel and applies the difference; idempotent. */
  reconcile(): Promise<void>;
  /** agent_state.configurations for report_state. */
  configurations(): Record<string, unknown>;
  /** Notification patterns after which the desired state may have changed. */
  readonly triggers?: readonly string[];
  /** Called once on a clean stop (never on kill -9); leaves the data plane as it is. */
  close?(): Promise<void>;
  /**
   * Cheap check of local state that no notification announces (a hypervisor plugging a new tap,
   * as the Linux-bridge agent polls for devices): true asks for a reconcile.
   */
  pollChanges?(): Promise<boolean>;
}

export interface LoopOptions {
  readonly resyncIntervalMs: number;
  readonly reportIntervalMs: number;
  /** Delay that coalesces a burst of notifications into one reconcile. */
  readonly debounceMs: number;
  /** How often pollChanges() runs (Neutron's polling_interval is 2 s). */
  readonly pollIntervalMs?: number;
  readonly availabilityZone?: string;
}

export const DEFAULT_LOOP_OPTIONS: LoopOptions = { resyncIntervalMs: 30_000, reportIntervalMs: 10_000, debounceMs: 100, pollIntervalMs: 1000 };

/** Every change the network API makes is notified as `<resource>.<action>.end`. */
export const DEFAULT_TRIGGERS = ['port.*', 'network.*', 'subnet.*', 'router.*', 'floatingip.*', 'security_group*', 'address_group.*', 'agent.*', 'dhcp_agent.*', 'l3_agent.*'];

const MAX_BACKOFF_MS = 5_000;

export class AgentLoop {
  readonly #subscriptions: Subscription[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #running: Promise<void> | undefined;
  #again = false;
  #debounce: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #failures = 0;
  #started = false;
  #stopped = false;
  #reportedStart = false;
  #lastError: string | undefined;
  /** Completed reconciles, for tests and logs. */
  reconciles = 0;

  constructor(
    private readonly agent: ReconcilingAgent,
    private readonly settings: AgentSettings,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly options: LoopOptions = DEFAULT_LOOP_OPTIONS,
  ) {}

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    for (const pattern of this.agent.triggers ?? DEFAULT_TRIGGERS) {
      this.#subscriptions.push(await this.bus.subscribeNotifications(pattern, () => this.trigger()));
    }
    await this.#report();
    this.#timers.push(setInterval(() => void this.#report(), this.options.reportIntervalMs));
    this.#timers.push(setInterval(() => this.trigger(0), this.options.resyncIntervalMs));
    if (this.agent.pollChanges) this.#timers.push(setInterval(() => void this.#poll(), this.options.pollIntervalMs ?? 1000));
    this.trigger(0);
  }

  /** Asks for a reconcile after `delayMs` (coalescing with any already asked for). */
  trigger(delayMs = this.options.debounceMs): void {
    if (this.#stopped) return;
    if (this.#debounce !== undefined) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      void this.#runOnce();
    }, delayMs);
  }

  /** Reconciles now and waits for it (and for one that was already running). */
  async reconcileNow(): Promise<void> {
    await this.#runOnce();
    if (this.#lastError !== undefined) throw new Error(`${this.agent.kind} agent on ${this.settings.host}: ${this.#lastError}`);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#debounce) clearTimeout(this.#debounce);
    if (this.#retry) clearTimeout(this.#retry);
    for (const sub of this.#subscriptions.splice(0)) await sub.stop().catch(() => undefined);
    await this.#running?.catch(() => undefined);
    await this.agent.close?.();
  }

  async #runOnce(): Promise<void> {
    if (this.#running) {
      // A reconcile is under way with possibly stale input: run once more after it.
      this.#again = true;
      await this.#running;
      return;
    }
    this.#running = this.#reconcile();
    try {
      await this.#running;
    } finally {
      this.#running = undefined;
    }
    if (this.#again && !this.#stopped) {
      this.#again = false;
      await this.#runOnce();
    }
  }

  async #reconcile(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.agent.reconcile();
      this.reconciles += 1;
      this.#failures = 0;
      this.#lastError = undefined;
    } catch (err) {
      this.#failures += 1;
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.logger.warn({ agent: this.agent.kind, host: this.settings.host, err: this.#lastError }, 'reconcile failed; retrying');
      const backoff = Math.min(MAX_BACKOFF_MS, 200 * 2 ** Math.min(this.#failures, 5));
      if (this.#retry) clearTimeout(this.#retry);
      this.#retry = setTimeout(() => { this.#retry = undefined; this.trigger(0); }, backoff);
    }
  }

  #polling = false;

  async #poll(): Promise<void> {
    if (this.#polling || this.#stopped) return;
    this.#polling = true;
    try {
      if (await this.agent.pollChanges!()) this.trigger();
    } catch {
      // A failed poll is retried at the next tick; the periodic resync covers it anyway.
    } finally {
      this.#polling = false;
    }
  }

  async #report(): Promise<void> {
    if (this.#stopped) return;
    const kind = this.agent.kind;
    try {
      await this.bus.call({ topic: REPORTS_TOPIC }, 'report_state', {
        agent_state: {
          agent_type: AGENT_TYPES[kind], binary: AGENT_BINARIES[kind], topic: `${kind === 'l2' ? 'q-agent-notifier' : kind === 'dhcp' ? 'dhcp_agent' : kind === 'l3' ? 'l3_agent' : 'N/A'}`,
          host: this.settings.host, configurations: this.agent.configurations(),
          ...(this.options.availabilityZone && (kind === 'dhcp' || kind === 'l3') ? { availability_zone: this.options.availabilityZone } : {}),
          ...(this.#reportedStart ? {} : { start_flag: true }),
        },
      }, { timeoutMs: 10_000 });
      this.#reportedStart = true;
    } catch (err) {
      this.logger.warn({ agent: kind, host: this.settings.host, err: err instanceof Error ? err.message : String(err) }, 'report_state failed');
    }
  }
}

// The in-process driver, for the all-in-one deployment and for tests. Buses sharing one
// MemoryBroker talk to each other, like processes sharing a RabbitMQ vhost.
import type {
  Bus, BusArgs, BusOptions, CallOptions, Handlers, NotificationHandler, NotifyOptions,
  Server, Subscription, Target,
} from './bus.js';
import { DEFAULT_CALL_TIMEOUT_MS } from './bus.js';
import { BusClosedError } from './errors.js';
import { MemoryBroker } from './memory-broker.js';
import { MemoryServer } from './memory-server.js';
import { checkHost, checkPositiveInteger, checkTarget, checkTopic, describeTarget } from './names.js';
import { buildNotification, deliverNotification } from './notifications.js';
import { compilePattern } from './pattern.js';
import { PendingCalls } from './pending-calls.js';
import { buildRequest, encode } from './wire.js';

export interface MemoryBusConfig extends BusOptions {
  /** Buses given the same broker reach each other; by default each bus gets its own. */
  readonly broker?: MemoryBroker;
}

export class MemoryBus implements Bus {
  readonly #broker: MemoryBroker;
  readonly #defaultTimeoutMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #pending = new PendingCalls();
  readonly #servers = new Set<MemoryServer>();
  readonly #unsubscribers = new Set<() => void>();
  #closed = false;

  constructor(config: MemoryBusConfig = {}) {
    this.#broker = config.broker ?? new MemoryBroker();
    this.#defaultTimeoutMs = checkPositiveInteger('defaultCallTimeoutMs', config.defaultCallTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    this.#onError = config.onError ?? ((error) => console.error('nimbus bus:', error));
  }

  async call(target: Target, method: string, args?: BusArgs, options?: CallOptions): Promise<unknown> {
    this.#assertOpen();
    const checked = checkTarget(target);
    const timeoutMs = checkPositiveInteger('timeoutMs', options?.timeoutMs ?? this.#defaultTimeoutMs);
    const message = buildRequest('call', checked.topic, method, args);
    const body = encode(message);
    const id = message.message_id;
    const reply = this.#pending.wait(id, describeTarget(checked), method, timeoutMs);
    this.#broker.sendToQueue(describeTarget(checked), {
      body,
      expiresAt: Date.now() + timeoutMs,
      reply: (replyBody) => this.#pending.settle(id, replyBody),
    });
    return reply;
  }

  async cast(target: Target, method: string, args?: BusArgs): Promise<void> {
    this.#assertOpen();
    const checked = checkTarget(target);
    const body = encode(buildRequest('cast', checked.topic, method, args));
    this.#broker.sendToQueue(describeTarget(checked), { body });
  }

  async fanout(topic: string, method: string, args?: BusArgs): Promise<void> {
    this.#assertOpen();
    const body = encode(buildRequest('fanout', checkTopic(topic), method, args));
    this.#broker.publishFanout(topic, body);
  }

  async notify(eventType: string, payload: unknown, options: NotifyOptions): Promise<void> {
    this.#assertOpen();
    this.#broker.publishNotification(encode(buildNotification(eventType, payload, options)));
  }

  async subscribeNotifications(pattern: string, handler: NotificationHandler): Promise<Subscription> {
    this.#assertOpen();
    const matches = compilePattern(pattern);
    const unsubscribe = this.#broker.subscribe(({ body }) => {
      void deliverNotification(body, matches, handler, this.#onError);
    });
    this.#unsubscribers.add(unsubscribe);
    return {
      pattern,
      stop: async () => {
        this.#unsubscribers.delete(unsubscribe);
        unsubscribe();
      },
    };
  }

  async serve(topic: string, host: string, handlers: Handlers): Promise<Server> {
    this.#assertOpen();
    const server = new MemoryServer(
      checkTopic(topic), checkHost(host), this.#broker, handlers, this.#onError,
      (stopped) => this.#servers.delete(stopped),
    );
    this.#servers.add(server);
    return server;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.failAll(new BusClosedError());
    for (const server of [...this.#servers]) server.halt();
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new BusClosedError();
  }
}

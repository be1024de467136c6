// The AMQP 0-9-1 driver (RabbitMQ), for scale-out deployments. One connection per bus; a
// confirm channel publishes (a cast resolves once the broker has taken it) and consumes the
// bus's own exclusive reply queue; each server and subscription has a channel of its own.
import { connect } from 'amqplib';
import type { ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type {
  Bus, BusArgs, BusOptions, CallOptions, Handlers, NotificationHandler, NotifyOptions, Server,
  Subscription, Target,
} from './bus.js';
import { DEFAULT_CALL_TIMEOUT_MS } from './bus.js';
import { AmqpServer } from './amqp-server.js';
import type { AmqpServerSettings } from './amqp-server.js';
import { AmqpSubscription } from './amqp-subscription.js';
import { DEFAULT_EXCHANGE, redactUrl, routingKey } from './amqp-topology.js';
import { BusClosedError, BusConnectionError, describeCause, InvalidArgumentError } from './errors.js';
import { checkHost, checkPositiveInteger, checkTarget, checkTopic, describeTarget } from './names.js';
import { buildNotification } from './notifications.js';
import { PendingCalls } from './pending-calls.js';
import { buildRequest, encode } from './wire.js';

export interface AmqpBusConfig extends BusOptions {
  /** e.g. amqp://user:pass@host:5672/vhost */
  readonly url: string;
  /** The topic exchange, oslo's control_exchange. Default 'nimbus'. */
  readonly exchange?: string;
  /** Unacknowledged messages per consumer: bounds concurrent handlers. Default 10. */
  readonly prefetch?: number;
}

type Halting = { halt(): void };
type Settings = AmqpServerSettings;

export class AmqpBus implements Bus {
  readonly #pending = new PendingCalls();
  readonly #consumers = new Set<Halting>();
  readonly #settings: Settings;
  #closed = false;
  #lost: BusConnectionError | undefined;

  private constructor(
    private readonly model: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly replyQueue: string,
    private readonly url: string,
    private readonly defaultTimeoutMs: number,
    settings: Settings,
  ) {
    this.#settings = settings;
  }

  static async connect(config: AmqpBusConfig): Promise<AmqpBus> {
    const exchange = config.exchange ?? DEFAULT_EXCHANGE;
    if (!/^[A-Za-z0-9_.-]+$/.test(exchange)) throw new InvalidArgumentError('exchange', exchange, 'use letters, digits, ".", "-", "_"');
    const prefetch = checkPositiveInteger('prefetch', config.prefetch ?? 10);
    const defaultTimeoutMs = checkPositiveInteger('defaultCallTimeoutMs', config.defaultCallTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    const onError = config.onError ?? ((error: unknown) => console.error('nimbus bus:', error));
    if (typeof config.url !== 'string' || !/^amqps?:\/\/./.test(config.url)) {
      throw new InvalidArgumentError('url', redactUrl(String(config.url)), 'use amqp://user:password@host:port/vhost');
    }
    const where = redactUrl(config.url);
    let model: ChannelModel;
    try {
      model = await connect(config.url);
    } catch (error) {
      throw new BusConnectionError(`cannot connect to the AMQP broker at ${where}: ${describeCause(error)}`, { cause: error });
    }
    try {
      const channel = await model.createConfirmChannel();
      await channel.assertExchange(exchange, 'topic', { durable: true });
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      const bus = new AmqpBus(model, channel, queue, where, defaultTimeoutMs, { exchange, prefetch, onError });
      bus.#watch();
      await channel.consume(queue, (message) => bus.#onReply(message), { noAck: true });
      return bus;
    } catch (error) {
      await model.close().catch(() => undefined);
      throw new BusConnectionError(`cannot set up the bus on ${where}: ${describeCause(error)}`, { cause: error });
    }
  }

  async call(target: Target, method: string, args?: BusArgs, options?: CallOptions): Promise<unknown> {
    this.#assertUsable();
    const checked = checkTarget(target);
    const timeoutMs = checkPositiveInteger('timeoutMs', options?.timeoutMs ?? this.defaultTimeoutMs);
    const message = buildRequest('call', checked.topic, method, args);
    const body = encode(message);
    const id = message.message_id;
    const reply = this.#pending.wait(id, describeTarget(checked), method, timeoutMs);
    // The TTL drops a request nobody took in time, so a server starting later never runs it.
    this.#publish(keyFor(checked), body, {
      messageId: id, correlationId: id, replyTo: this.replyQueue, expiration: String(timeoutMs),
    }).catch((error: Error) => this.#pending.fail(id, error));
    return reply;
  }

  async cast(target: Target, method: string, args?: BusArgs): Promise<void> {
    this.#assertUsable();
    const checked = checkTarget(target);
    const message = buildRequest('cast', checked.topic, method, args);
    await this.#publish(keyFor(checked), encode(message), { messageId: message.message_id, persistent: true });
  }

  async fanout(topic: string, method: string, args?: BusArgs): Promise<void> {
    this.#assertUsable();
    const message = buildRequest('fanout', checkTopic(topic), method, args);
    await this.#publish(routingKey.fanout(topic), encode(message), { messageId: message.message_id });
  }

  async notify(eventType: string, payload: unknown, options: NotifyOptions): Promise<void> {
    this.#assertUsable();
    const notification = buildNotification(eventType, payload, options);
    await this.#publish(routingKey.notification(notification.event_type), encode(notification), {
      messageId: notification.message_id, type: notification.event_type,
    });
  }

  async subscribeNotifications(pattern: string, handler: NotificationHandler): Promise<Subscription> {
    this.#assertUsable();
    const subscription = await AmqpSubscription.start(this.model, pattern, handler, this.#settings, (s) => this.#consumers.delete(s));
    this.#consumers.add(subscription);
    return subscription;
  }

  async serve(topic: string, host: string, handlers: Handlers): Promise<Server> {
    this.#assertUsable();
    const target = { topic: checkTopic(topic), host: checkHost(host) };
    const server = await AmqpServer.start(this.model, target, handlers, this.#settings, (s) => this.#consumers.delete(s));
    this.#consumers.add(server);
    return server;
  }

  /** Abrupt by design: unacknowledged messages return to their queues for another server. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.failAll(new BusClosedError());
    for (const consumer of [...this.#consumers]) consumer.halt();
    await this.model.close().catch(() => undefined);
  }

  #assertUsable(): void {
    if (this.#closed) throw new BusClosedError();
    if (this.#lost !== undefined) throw this.#lost;
  }

  #publish(key: string, body: string, options: Options.Publish): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const nack = (error: unknown): void =>
        reject(new BusConnectionError(`the broker at ${this.url} did not accept a message: ${String(error)}`, { cause: error }));
      try {
        this.channel.publish(this.#settings.exchange, key, Buffer.from(body),
          { contentType: 'application/json', timestamp: Math.floor(Date.now() / 1000), ...options },
          (error) => (error ? nack(error) : resolve()));
      } catch (error) {
        nack(error);
      }
    });
  }

  #onReply(message: ConsumeMessage | null): void {
    if (message === null) return this.#fail(new Error('the broker cancelled the reply consumer'));
    const id: unknown = message.properties.correlationId;
    if (typeof id === 'string') this.#pending.settle(id, message.content.toString('utf8'));
  }

  // No reconnect: a lost connection fails every pending and later operation with a clear
  // BusConnectionError and is reported once; the process supervisor restarts the service.
  #watch(): void {
    this.model.on('error', (error: Error) => this.#fail(error));
    // A broker-initiated close (CONNECTION_FORCED) comes as 'close' with its reason, no 'error'.
    this.model.on('close', (error?: Error) => this.#fail(error ?? new Error('connection closed')));
    this.model.on('blocked', (reason: unknown) => {
      this.#settings.onError(new BusConnectionError(`the broker at ${this.url} blocks publishing: ${String(reason)}`));
    });
    this.channel.on('error', (error: Error) => this.#fail(error));
    // A dying connection closes its channels first: let its own error, the real cause, win.
    this.channel.on('close', () => setImmediate(() => this.#fail(new Error('publishing channel closed'))));
  }

  #fail(cause: Error): void {
    if (this.#closed || this.#lost !== undefined) return;
    this.#lost = new BusConnectionError(`lost the connection to the AMQP broker at ${this.url}: ${cause.message}`, { cause });
    this.#pending.failAll(this.#lost);
    for (const consumer of [...this.#consumers]) consumer.halt();
    this.#settings.onError(this.#lost);
  }
}

function keyFor(target: Target): string {
  return target.host === undefined ? routingKey.shared(target.topic) : routingKey.host(target.topic, target.host);
}

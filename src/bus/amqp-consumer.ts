// One AMQP channel that consumes queues and acknowledges each message only after its handler
// has finished: if this process dies mid-way the broker redelivers the message, which is safe
// because handlers are idempotent. Prefetch bounds how many handlers run at once.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { BusConnectionError } from './errors.js';
import { InFlight } from './in-flight.js';

/** Handles one delivery; a returned string is the reply, published to the message's replyTo. */
export type DeliveryHandler = (message: ConsumeMessage) => Promise<string | undefined>;

export class AmqpConsumer {
  readonly #tags: string[] = [];
  readonly #inFlight = new InFlight();
  #stopping = false;
  #channelOpen = true;

  private constructor(
    readonly channel: Channel,
    private readonly label: string,
    private readonly onError: (error: unknown) => void,
  ) {
    // An 'error' event without a listener would crash the process.
    channel.on('error', (error: Error) => {
      onError(new BusConnectionError(`${label}: channel error: ${error.message}`, { cause: error }));
    });
    channel.on('close', () => {
      this.#channelOpen = false;
      // Deferred: when the whole connection drops, the bus halts us first and reports once.
      setImmediate(() => {
        if (!this.#stopping) onError(new BusConnectionError(`${label}: channel closed unexpectedly`));
      });
    });
  }

  static async open(model: ChannelModel, prefetch: number, label: string, onError: (error: unknown) => void): Promise<AmqpConsumer> {
    const channel = await model.createChannel();
    await channel.prefetch(prefetch);
    return new AmqpConsumer(channel, label, onError);
  }

  async consume(queue: string, handle: DeliveryHandler): Promise<void> {
    const { consumerTag } = await this.channel.consume(queue, (message) => {
      if (message === null) {
        // The broker cancelled us, e.g. the queue was deleted: report it, nothing to ack.
        this.onError(new BusConnectionError(`${this.label}: the broker cancelled the consumer of ${queue}`));
        return;
      }
      this.#inFlight.track(this.#run(message, handle));
    });
    this.#tags.push(consumerTag);
  }

  /** Graceful: stop new deliveries, let running handlers finish and ack, then close. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const tag of this.#tags) await this.channel.cancel(tag).catch(() => undefined);
    await this.#inFlight.drain();
    await this.channel.close().catch(() => undefined);
  }

  /** For bus.close(): the connection is closing anyway; unacked messages go back to their queues. */
  halt(): void {
    this.#stopping = true;
  }

  /** Closes the channel if setting up the consumer failed half-way. */
  async abandon(): Promise<void> {
    this.#stopping = true;
    await this.channel.close().catch(() => undefined);
  }

  async #run(message: ConsumeMessage, handle: DeliveryHandler): Promise<void> {
    let reply: string | undefined;
    try {
      reply = await handle(message);
    } catch (error) {
      this.onError(error); // handlers report their own failures; this is a bug, not a retry
    }
    // Channel gone (connection lost, bus closed): the broker redelivers, nothing to do here.
    if (!this.#channelOpen) return;
    try {
      const { replyTo, correlationId } = message.properties as { replyTo?: unknown; correlationId?: unknown };
      if (reply !== undefined && typeof replyTo === 'string' && replyTo !== '') {
        this.channel.publish('', replyTo, Buffer.from(reply), {
          contentType: 'application/json',
          correlationId: typeof correlationId === 'string' ? correlationId : undefined,
        });
      }
      this.channel.ack(message);
    } catch (error) {
      this.onError(error);
    }
  }
}

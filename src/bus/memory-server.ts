// An RPC server on the memory broker: one consumer on the topic's shared queue, on the
// topic.host queue and on the topic's fanout, all running the same handlers.
import type { Handlers, Server } from './bus.js';
import { handleDelivery } from './dispatch.js';
import { InFlight } from './in-flight.js';
import type { MemoryBroker, MemoryDelivery } from './memory-broker.js';

export class MemoryServer implements Server {
  readonly #unbind: ReadonlyArray<() => void>;
  readonly #inFlight = new InFlight();
  #stopped = false;

  constructor(
    readonly topic: string,
    readonly host: string,
    broker: MemoryBroker,
    private readonly handlers: Handlers,
    private readonly onError: (error: unknown) => void,
    private readonly onStopped: (server: MemoryServer) => void,
  ) {
    const consumer = (delivery: MemoryDelivery): void => this.#inFlight.track(this.#handle(delivery));
    this.#unbind = [
      broker.declareQueue(topic).consume(consumer),
      broker.declareQueue(`${topic}.${host}`).consume(consumer),
      broker.bindFanout(topic, consumer),
    ];
  }

  /** Graceful: no new deliveries, then waits for the handlers already running. */
  async stop(): Promise<void> {
    this.halt();
    await this.#inFlight.drain();
  }

  /** For bus.close(): no new deliveries, without waiting. */
  halt(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const unbind of this.#unbind) unbind();
    this.onStopped(this);
  }

  async #handle(delivery: MemoryDelivery): Promise<void> {
    const reply = await handleDelivery(delivery.body, false, this, this.handlers, this.onError);
    if (reply !== undefined) delivery.reply?.(reply);
  }
}

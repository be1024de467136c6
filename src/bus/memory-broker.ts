// An in-process stand-in for a RabbitMQ vhost, so the memory driver keeps AMQP's delivery
// rules: named queues outlive their consumers (a cast waits for the next server, as with a
// durable queue), a queue's consumers take turns, a publish to an undeclared queue is lost,
// and every delivery happens on a later turn of the event loop, never inside publish().

export interface MemoryDelivery {
  readonly body: string;
  /** Calls only: dropped if still queued after this instant, like an AMQP message TTL. */
  readonly expiresAt?: number;
  /** Calls only: where the reply goes. */
  readonly reply?: (body: string) => void;
}

export type MemoryConsumer = (delivery: MemoryDelivery) => void;

class MemoryQueue {
  readonly #consumers: MemoryConsumer[] = [];
  readonly #backlog: MemoryDelivery[] = [];
  #turn = 0;
  #scheduled = false;

  push(delivery: MemoryDelivery): void {
    this.#backlog.push(delivery);
    this.#schedule();
  }

  consume(consumer: MemoryConsumer): () => void {
    this.#consumers.push(consumer);
    this.#schedule();
    return () => {
      const index = this.#consumers.indexOf(consumer);
      if (index !== -1) this.#consumers.splice(index, 1);
    };
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  // Consumers are chosen at delivery time, so one that stopped meanwhile gets nothing.
  #drain(): void {
    while (this.#backlog.length > 0 && this.#consumers.length > 0) {
      const delivery = this.#backlog.shift() as MemoryDelivery;
      if (delivery.expiresAt !== undefined && delivery.expiresAt < Date.now()) continue;
      this.#turn = (this.#turn + 1) % this.#consumers.length;
      (this.#consumers[this.#turn] as MemoryConsumer)(delivery);
    }
  }
}

export class MemoryBroker {
  readonly #queues = new Map<string, MemoryQueue>();
  readonly #fanouts = new Map<string, Set<MemoryConsumer>>();
  readonly #subscribers = new Set<MemoryConsumer>();

  /** Idempotent, like queue.declare: the queue stays for the broker's lifetime. */
  declareQueue(name: string): { consume(consumer: MemoryConsumer): () => void } {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new MemoryQueue();
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /** Lost when nobody ever declared the queue, as with an unroutable AMQP message. */
  sendToQueue(name: string, delivery: MemoryDelivery): void {
    this.#queues.get(name)?.push(delivery);
  }

  /** Each binding is a private queue of one consumer, gone with it (AMQP: exclusive queue). */
  bindFanout(topic: string, consumer: MemoryConsumer): () => void {
    let bound = this.#fanouts.get(topic);
    if (bound === undefined) {
      bound = new Set();
      this.#fanouts.set(topic, bound);
    }
    bound.add(consumer);
    return () => {
      bound.delete(consumer);
      if (bound.size === 0) this.#fanouts.delete(topic);
    };
  }

  publishFanout(topic: string, body: string): void {
    const bound = this.#fanouts.get(topic);
    for (const consumer of bound ?? []) this.#later(bound, consumer, body);
  }

  /** Every subscriber sees every notification and filters by its own pattern. */
  subscribe(consumer: MemoryConsumer): () => void {
    this.#subscribers.add(consumer);
    return () => this.#subscribers.delete(consumer);
  }

  publishNotification(body: string): void {
    for (const consumer of this.#subscribers) this.#later(this.#subscribers, consumer, body);
  }

  // Delivered only if still bound when its turn comes.
  #later(bound: Set<MemoryConsumer> | undefined, consumer: MemoryConsumer, body: string): void {
    setImmediate(() => {
      if (bound?.has(consumer) === true) consumer({ body });
    });
  }
}

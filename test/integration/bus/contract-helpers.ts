// Helpers for the bus contract suite: buses that close themselves after each test, topics no
// other test uses (durable AMQP queues outlive a test), and polling instead of fixed sleeps.
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Bus, BusOptions } from '../../../src/bus/index.js';

/** Makes a bus; every bus one factory makes must reach the same broker. */
export type MakeBus = (options: BusOptions) => Promise<Bus>;

export interface Fixture {
  /** A new bus (another "process"), closed after the test. */
  bus(): Promise<Bus>;
  /** Everything the buses reported through onError. */
  readonly errors: unknown[];
}

export function fixture(t: TestContext, makeBus: MakeBus): Fixture {
  const buses: Bus[] = [];
  const errors: unknown[] = [];
  t.after(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
  });
  return {
    errors,
    async bus() {
      const bus = await makeBus({ onError: (error) => errors.push(error), defaultCallTimeoutMs: 5_000 });
      buses.push(bus);
      return bus;
    },
  };
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Time for a message that should NOT arrive to show up anyway. */
export function quietPeriod(): Promise<void> {
  return sleep(250);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Counts deliveries per server, remembering which messages each one saw. */
export class Tally {
  readonly #seen = new Map<string, number[]>();

  record(server: string, seq: unknown): void {
    const list = this.#seen.get(server) ?? [];
    list.push(Number(seq));
    this.#seen.set(server, list);
  }

  of(server: string): readonly number[] {
    return this.#seen.get(server) ?? [];
  }

  get total(): number {
    let total = 0;
    for (const list of this.#seen.values()) total += list.length;
    return total;
  }

  all(): number[] {
    return [...this.#seen.values()].flat().sort((a, b) => a - b);
  }
}

// A fake compute agent for the server action tests: serves topic `compute` on one host over a
// memory bus and records every cast it receives, in order, for the test to wait for and read.
import assert from 'node:assert/strict';
import type { BusArgs, Handlers, MemoryBus, Server } from '../../../src/bus/index.js';

export interface Received { readonly method: string; readonly args: BusArgs }

export interface RecordingAgent {
  /** What arrived since the last reset, in order. */
  readonly received: Received[];
  reset(): void;
  /** Waits (up to ~1 s) until n casts arrived, then insists on exactly n. */
  waitFor(n: number): Promise<void>;
  stop(): Promise<void>;
}

/** Records the named methods; `handlers` may answer others (calls) itself. */
export async function recordingAgent(bus: MemoryBus, methods: readonly string[], handlers: Handlers = {}, host = 'host-a'): Promise<RecordingAgent> {
  const received: Received[] = [];
  const record = Object.fromEntries(methods.map((method) => [method, async (args: BusArgs) => { received.push({ method, args }); }]));
  const server: Server = await bus.serve('compute', host, { ...record, ...handlers });
  return {
    received,
    reset: () => { received.length = 0; },
    waitFor: async (n) => {
      for (let i = 0; i < 200 && received.length < n; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(received.length, n, JSON.stringify(received));
    },
    stop: () => server.stop(),
  };
}

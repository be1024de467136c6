// The bus contract against the in-process driver; buses of one test share a MemoryBroker.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBus, MemoryBroker } from '../../../src/bus/index.js';
import { runBusContract } from '../../integration/bus/bus-contract.js';

const broker = new MemoryBroker();
runBusContract('memory', (options) => createBus({ driver: 'memory', broker, ...options }));

describe('memory bus', () => {
  test('buses without a common broker do not reach each other', async () => {
    const a = await createBus({ driver: 'memory', defaultCallTimeoutMs: 200 });
    const b = await createBus({ driver: 'memory' });
    try {
      await b.serve('compute', 'node1', { ping: async () => 'pong' });
      await assert.rejects(a.call({ topic: 'compute' }, 'ping'), { name: 'BusTimeoutError' });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

// The ONE behaviour suite every bus driver must pass (memory and AMQP). A driver-specific
// test belongs in that driver's own test file, never as a skip in here.
import { describe } from 'node:test';
import { lifecycleContract } from './contract-lifecycle.js';
import type { MakeBus } from './contract-helpers.js';
import { notificationContract } from './contract-notifications.js';
import { rpcContract } from './contract-rpc.js';

export type { MakeBus } from './contract-helpers.js';

export function runBusContract(name: string, makeBus: MakeBus): void {
  describe(`bus contract: ${name}`, () => {
    describe('rpc', () => rpcContract(makeBus));
    describe('notifications', () => notificationContract(makeBus));
    describe('lifecycle', () => lifecycleContract(makeBus));
  });
}

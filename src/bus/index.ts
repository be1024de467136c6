// The bus's public surface: services import from here, never from a driver file.
import type { Bus, BusOptions } from './bus.js';
import type { MemoryBroker } from './memory-broker.js';
import { MemoryBus } from './memory-bus.js';

export type BusConfig =
  | (BusOptions & { readonly driver: 'memory'; readonly broker?: MemoryBroker })
  | (BusOptions & { readonly driver: 'amqp'; readonly url: string; readonly exchange?: string; readonly prefetch?: number });

/** Connects (AMQP) or creates (memory) a bus; AMQP connection failures reject with BusConnectionError. */
export async function createBus(config: BusConfig): Promise<Bus> {
  switch (config.driver) {
    case 'memory':
      return new MemoryBus(config);
    case 'amqp': {
      // Loaded only when used: an all-in-one on the memory bus never pays for amqplib.
      const { AmqpBus } = await import('./amqp-bus.js');
      return AmqpBus.connect(config);
    }
  }
}

export type {
  Bus, BusArgs, BusOptions, CallContext, CallOptions, Handler, Handlers, MessageKind, Notification,
  NotificationHandler, NotificationPriority, NotifyOptions, Server, Subscription, Target,
} from './bus.js';
export { DEFAULT_CALL_TIMEOUT_MS } from './bus.js';
export {
  BusClosedError, BusConnectionError, BusError, BusMessageError, BusTimeoutError, InvalidArgumentError, RemoteError,
  UNSUPPORTED_METHOD,
} from './errors.js';
export { MemoryBroker } from './memory-broker.js';
export { MemoryBus } from './memory-bus.js';
export type { MemoryBusConfig } from './memory-bus.js';
export type { AmqpBus } from './amqp-bus.js';
export type { AmqpBusConfig } from './amqp-bus.js';

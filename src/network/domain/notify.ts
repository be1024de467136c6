// Neutron's notifications (`network.create.end`, `port.update.end`, …) on the bus, for agents,
// the compute service and anyone else listening. Sent after commit; a bus failure is logged by
// the bus and never fails the API request that caused it.
import type { NetworkDeps } from '../api/deps.js';

export function notify(deps: NetworkDeps, eventType: string, payload: Record<string, unknown>): void {
  if (deps.bus === undefined) return;
  deps.bus.notify(eventType, payload, { publisherId: 'network.api' }).catch(() => undefined);
}

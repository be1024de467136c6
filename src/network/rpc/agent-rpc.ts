// The network server's agent RPC (Neutron's plugin-side RPC for the L2, DHCP, L3 and metadata
// agents): topic `q-plugin`, served by every network API process. Agents never open the
// database; each sync fetches the whole desired state of its host from here. The bus is a trust
// boundary: arguments are parsed (agent-args.ts) before anything is read or written.
import type { Bus, Server } from '../../bus/index.js';
import type { NetworkDeps } from '../api/deps.js';
import { PLUGIN_METHODS, PLUGIN_TOPIC } from '../agents/common/rpc-api.js';
import { parseFloatingIpStatusArgs, parseHost, parseMetadataArgs, parsePortStatusArgs } from './agent-args.js';
import { getDhcpState } from './dhcp-state.js';
import { getL2State } from './l2-state.js';
import { getL3State } from './l3-state.js';
import { getMetadataPort } from './metadata.js';
import { updateFloatingIpStatuses, updatePortStatus } from './status.js';

export { PLUGIN_TOPIC };

/**
 * Serves q-plugin on `bus` as server `host`. Notifications (port.update.end, …) go out on
 * deps.bus, or on `bus` when the deps were built without one.
 */
export function serveAgentRpc(bus: Bus, deps: NetworkDeps, host: string): Promise<Server> {
  const d: NetworkDeps = deps.bus === undefined ? { ...deps, bus } : deps;
  const m = PLUGIN_METHODS;
  return bus.serve(PLUGIN_TOPIC, host, {
    [m.getL2State]: async (args) => getL2State(d, parseHost(m.getL2State, args)),
    [m.getDhcpState]: async (args) => getDhcpState(d, parseHost(m.getDhcpState, args)),
    [m.getL3State]: async (args) => getL3State(d, parseHost(m.getL3State, args)),
    [m.updatePortStatus]: async (args) => {
      const { host: agentHost, portIds, status } = parsePortStatusArgs(m.updatePortStatus, args);
      return updatePortStatus(d, agentHost, portIds, status);
    },
    [m.updateFloatingIpStatuses]: async (args) => {
      const { host: agentHost, statuses } = parseFloatingIpStatusArgs(m.updateFloatingIpStatuses, args);
      return updateFloatingIpStatuses(d, agentHost, statuses);
    },
    [m.getMetadataPort]: async (args) => getMetadataPort(d, parseMetadataArgs(m.getMetadataPort, args)),
  });
}

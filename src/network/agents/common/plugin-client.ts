// The agents' side of the `q-plugin` RPC: typed calls to the network server. The server is the
// trust boundary's other side; agents trust its answers' shapes (both are Nimbus code).
import type { Bus } from '../../../bus/index.js';
import { PLUGIN_METHODS, PLUGIN_TOPIC } from './rpc-api.js';
import type { DhcpState, L2State, L3State, MetadataLookup } from './state.js';

/** Sync calls return a host's whole state; on a big host that takes a while. */
const SYNC_TIMEOUT_MS = 30_000;

export class PluginClient {
  constructor(private readonly bus: Bus, readonly host: string) {}

  l2State(): Promise<L2State> {
    return this.#call(PLUGIN_METHODS.getL2State, { host: this.host }) as Promise<L2State>;
  }

  dhcpState(): Promise<DhcpState> {
    return this.#call(PLUGIN_METHODS.getDhcpState, { host: this.host }) as Promise<DhcpState>;
  }

  l3State(): Promise<L3State> {
    return this.#call(PLUGIN_METHODS.getL3State, { host: this.host }) as Promise<L3State>;
  }

  async updatePortStatus(portIds: readonly string[], status: 'ACTIVE' | 'DOWN'): Promise<void> {
    if (portIds.length === 0) return;
    await this.#call(PLUGIN_METHODS.updatePortStatus, { host: this.host, port_ids: [...portIds], status });
  }

  async updateFloatingIpStatuses(statuses: Readonly<Record<string, 'ACTIVE' | 'DOWN' | 'ERROR'>>): Promise<void> {
    if (Object.keys(statuses).length === 0) return;
    await this.#call(PLUGIN_METHODS.updateFloatingIpStatuses, { host: this.host, statuses: { ...statuses } });
  }

  async metadataPort(args: { ip_address: string; router_id?: string; network_id?: string }): Promise<MetadataLookup | null> {
    const found = await this.#call(PLUGIN_METHODS.getMetadataPort, { ...args });
    return (found ?? null) as MetadataLookup | null;
  }

  #call(method: string, args: Record<string, unknown>): Promise<unknown> {
    return this.bus.call({ topic: PLUGIN_TOPIC }, method, args, { timeoutMs: SYNC_TIMEOUT_MS });
  }
}

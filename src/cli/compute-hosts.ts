// The compute agents of the data plane's hosts: one per simulated host (its QEMU guests and taps
// live in that host's namespace, where its L2 agent wires them), or one for this machine.
import { join } from 'node:path';
import type { Bus } from '../bus/index.js';
import type { NimbusConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { serviceAuth } from '../core/admin-credentials.js';
import { ImageClient, NetworkClient, PlacementClient } from '../core/clients/index.js';
import type { RunningDataplane } from '../network/agents/dataplane.js';
import { startComputeHost, type RunningComputeHost } from '../compute/agent/compute-host.js';

export interface RunningComputeHosts {
  readonly hosts: readonly RunningComputeHost[];
  /** Stops the agents; guests keep running (a restarted agent re-adopts them). */
  stop(): Promise<void>;
}

export async function startComputeHosts(config: NimbusConfig, bus: Bus, logger: Logger, dataplane: RunningDataplane): Promise<RunningComputeHosts> {
  const auth = serviceAuth(config);
  const clients = { image: ImageClient.create(auth), network: NetworkClient.create(auth), placement: PlacementClient.create(auth) };
  const hosts: RunningComputeHost[] = [];
  const stop = async () => { for (const h of hosts.splice(0).reverse()) await h.stop(); };
  const places = dataplane.sandbox
    ? dataplane.sandbox.hosts.map((h) => ({ host: h.name, netns: h.netns as string | undefined }))
    : dataplane.hosts.map((h) => ({ host: h.host, netns: undefined }));
  try {
    for (const place of places) {
      hosts.push(await startComputeHost({
        bus, host: place.host, ...(place.netns !== undefined ? { netns: place.netns } : {}),
        stateDir: join(config.dataDir, 'compute', place.host), logger, clients, availabilityZone: 'nova',
      }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { hosts, stop };
}

// The compute agents of the data plane's hosts: one per simulated host (its QEMU guests and taps
// live in that host's namespace, where its L2 agent wires them), or one for this machine.
// As nova-compute waits for its conductor, each agent keeps trying to register in the background
// (every RETRY_MS) instead of holding up the network agents beside it: a compute node may start
// before its controller. NIMBUS_COMPUTE_AGENT=0 runs the network agents alone.
import { join } from 'node:path';
import type { Bus } from '../bus/index.js';
import type { NimbusConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { serviceAuth } from '../core/admin-credentials.js';
import { ImageClient, NetworkClient, PlacementClient } from '../core/clients/index.js';
import type { RunningDataplane } from '../network/agents/dataplane.js';
import { startComputeHost, type RunningComputeHost } from '../compute/agent/compute-host.js';

const RETRY_MS = 10_000;

export interface RunningComputeHosts {
  /** The agents registered so far. */
  readonly hosts: readonly RunningComputeHost[];
  /** Stops the agents (and the attempts to start them); guests keep running. */
  stop(): Promise<void>;
}

export function startComputeHosts(config: NimbusConfig, bus: Bus, logger: Logger, dataplane: RunningDataplane,
  env: NodeJS.ProcessEnv = process.env): RunningComputeHosts {
  const hosts: RunningComputeHost[] = [];
  if (env.NIMBUS_COMPUTE_AGENT === '0') return { hosts, stop: async () => undefined };
  const auth = serviceAuth(config);
  const clients = { image: ImageClient.create(auth), network: NetworkClient.create(auth), placement: PlacementClient.create(auth) };
  const places = dataplane.sandbox
    ? dataplane.sandbox.hosts.map((h) => ({ host: h.name, netns: h.netns as string | undefined, address: h.tunnelIp as string | undefined }))
    : dataplane.hosts.map((h) => ({ host: h.host, netns: undefined, address: config.network.dataplane.localIp }));
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const attempts = new Set<Promise<void>>();

  const attempt = (place: { host: string; netns: string | undefined; address: string | undefined }): void => {
    const work = startComputeHost({
      bus, host: place.host, ...(place.netns !== undefined ? { netns: place.netns } : {}),
      ...(place.address !== undefined ? { migrationAddress: place.address } : {}),
      stateDir: join(config.dataDir, 'compute', place.host), logger, clients, availabilityZone: 'nova',
    }).then(async (running) => {
      // Stopped while it was registering: it must not outlive the process's agents.
      if (stopped) await running.stop();
      else hosts.push(running);
    }, (err: unknown) => {
      if (stopped) return;
      logger.warn({ err, host: place.host }, `compute agent not started; retrying in ${RETRY_MS / 1000} s`);
      const timer = setTimeout(() => { timers.delete(timer); attempt(place); }, RETRY_MS);
      timers.add(timer);
    }).finally(() => attempts.delete(work));
    attempts.add(work);
  };
  for (const place of places) attempt(place);

  return {
    hosts,
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([...attempts]);
      for (const running of hosts.splice(0).reverse()) await running.stop();
    },
  };
}

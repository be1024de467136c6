// Starts the data plane the configuration asks for (docs/dataplane.md): the network agents of
// every simulated host of a sandbox, or of this machine as one real host, or nothing.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Bus } from '../../bus/index.js';
import type { NimbusConfig } from '../../core/config.js';
import { persistentSecret } from '../../core/secrets.js';
import type { Logger } from '../../core/logger.js';
import { createSandbox, type Sandbox } from '../../hostnet/sandbox/index.js';
import { startHostAgents, type RunningHostAgents } from './host-agents.js';
import type { LoopOptions } from './common/agent-loop.js';

export interface RunningDataplane {
  readonly sandbox: Sandbox | undefined;
  readonly hosts: readonly RunningHostAgents[];
  /** Stops the agents; the kernel state (bridges, namespaces, dnsmasq, guests' traffic) stays. */
  stop(): Promise<void>;
}

/** The metadata proxy's shared secret: configured, or generated once per data directory. */
export function metadataSecret(config: NimbusConfig): string {
  return config.network.dataplane.metadataSharedSecret ?? persistentSecret(config.dataDir, 'metadata-secret');
}

export function loopOptions(config: NimbusConfig): LoopOptions {
  const dp = config.network.dataplane;
  return { resyncIntervalMs: dp.resyncIntervalSeconds * 1000, reportIntervalMs: dp.reportIntervalSeconds * 1000, debounceMs: 100, pollIntervalMs: 1000, availabilityZone: 'nova' };
}

/** Creates (or re-adopts) the sandbox of the configuration without starting agents. */
export function ensureSandbox(config: NimbusConfig): Promise<Sandbox> {
  const dp = config.network.dataplane;
  return createSandbox({ name: dp.sandboxName, hosts: dp.sandboxHosts, publicCidr: dp.publicCidr, publicGateway: dp.publicGateway, uplink: dp.uplink });
}

export async function startDataplane(config: NimbusConfig, bus: Bus, logger: Logger): Promise<RunningDataplane> {
  const dp = config.network.dataplane;
  const metadata = { novaMetadataUrl: dp.novaMetadataUrl ?? `http://127.0.0.1:${config.compute.metadataPort}`, sharedSecret: metadataSecret(config) };
  const hosts: RunningHostAgents[] = [];
  const stopAll = async () => { for (const host of hosts.splice(0).reverse()) await host.stop(); };
  let sandbox: Sandbox | undefined;
  try {
    if (dp.mode === 'sandbox') {
      sandbox = await ensureSandbox(config);
      for (const host of sandbox.hosts) {
        hosts.push(await startHostAgents(bus, logger, {
          settings: { host: host.name, netns: host.netns, namespacePrefix: host.namespacePrefix, stateDir: join(config.dataDir, 'agents', host.name) },
          tunnelIp: host.tunnelIp, tunnelDevice: host.tunnelDevice, interfaceMappings: host.bridgeMappings, metadata, loop: loopOptions(config),
        }));
      }
    } else if (dp.mode === 'host') {
      const name = hostname();
      hosts.push(await startHostAgents(bus, logger, {
        settings: { host: name, namespacePrefix: '', stateDir: join(config.dataDir, 'agents', name) },
        ...(dp.localIp !== undefined ? { tunnelIp: dp.localIp } : {}),
        ...(dp.tunnelDevice !== undefined ? { tunnelDevice: dp.tunnelDevice } : {}),
        interfaceMappings: dp.physicalInterfaceMappings, metadata, loop: loopOptions(config),
      }));
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { sandbox, hosts, stop: stopAll };
}

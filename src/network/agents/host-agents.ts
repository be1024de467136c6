// The four network agents of one host (L2 Linux bridge, DHCP, L3, metadata), each in its own
// reconcile loop, sharing the host's settings, bus client and helper-process supervisor. The
// all-in-one runs one set per simulated host; `nimbus agents` runs them in their own process.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Bus } from '../../bus/index.js';
import type { Logger } from '../../core/logger.js';
import { Daemons, probeKernel } from '../../hostnet/index.js';
import { AgentLoop, type AgentSettings, type LoopOptions, type ReconcilingAgent } from './common/agent-loop.js';
import { PluginClient } from './common/plugin-client.js';
import { DhcpAgent } from './dhcp/index.js';
import { L3Agent } from './l3/index.js';
import { LinuxBridgeAgent } from './l2/linuxbridge-agent.js';
import { MetadataAgent } from './metadata/index.js';

export interface HostAgentsOptions {
  readonly settings: AgentSettings;
  /** VXLAN endpoint of this host and the device it sits on. */
  readonly tunnelIp?: string;
  readonly tunnelDevice?: string;
  /** physnet → host interface (Neutron's physical_interface_mappings). */
  readonly interfaceMappings: Readonly<Record<string, string>>;
  readonly metadata: { readonly novaMetadataUrl: string; readonly sharedSecret: string };
  readonly loop: LoopOptions;
}

export interface RunningHostAgents {
  readonly host: string;
  readonly loops: readonly AgentLoop[];
  /** Reconciles every agent once, now (tests use it to wait for convergence). */
  reconcileNow(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHostAgents(bus: Bus, logger: Logger, options: HostAgentsOptions): Promise<RunningHostAgents> {
  const { settings } = options;
  mkdirSync(settings.stateDir, { recursive: true });
  const client = new PluginClient(bus, settings.host);
  const daemons = new Daemons(settings.stateDir);
  const metadataSocket = join(settings.stateDir, 'metadata_proxy');
  const capabilities = await probeKernel();
  const agents: ReconcilingAgent[] = [
    new LinuxBridgeAgent(settings, client, {
      ...(options.tunnelIp !== undefined ? { tunnelIp: options.tunnelIp } : {}),
      ...(options.tunnelDevice !== undefined ? { tunnelDevice: options.tunnelDevice } : {}),
      bridgeMappings: options.interfaceMappings, capabilities,
    }),
    new DhcpAgent(settings, client, { daemons, metadataSocket, enableIsolatedMetadata: true }),
    new L3Agent(settings, client, { daemons, metadataSocket, enableMetadataProxy: true }),
    new MetadataAgent(settings, client, { socketPath: metadataSocket, novaMetadataUrl: options.metadata.novaMetadataUrl, sharedSecret: options.metadata.sharedSecret }),
  ];
  const loops = agents.map((agent) => new AgentLoop(agent, settings, bus, logger, options.loop));
  const started: AgentLoop[] = [];
  try {
    for (const loop of loops) {
      await loop.start();
      started.push(loop);
    }
  } catch (err) {
    for (const loop of started) await loop.stop();
    throw err;
  }
  return {
    host: settings.host,
    loops,
    async reconcileNow() {
      for (const loop of loops) await loop.reconcileNow();
    },
    async stop() {
      for (const loop of loops) await loop.stop();
    },
  };
}

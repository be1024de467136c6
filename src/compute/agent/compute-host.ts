// One compute host: registration and heartbeat (ComputeAgent), the instance manager behind the
// `compute` RPC server of this host, and the power state sync. Before serving, init_host
// (init-host.ts) finishes or undoes what the previous agent process left half done. stop() stops
// all three and drops the QMP connections, but leaves the guests running: a restarted agent
// re-adopts them.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bus, Server } from '../../bus/index.js';
import type { Logger } from '../../core/logger.js';
import type { ImageClient, NetworkClient, PlacementClient } from '../../core/clients/index.js';
import { probeAccelerator, type Accelerator } from '../virt/kvm.js';
import { ComputeAgent } from './compute-agent.js';
import { hostResources, type HostResources } from './host-resources.js';
import { InstanceFiles } from './instance-files.js';
import { initHost, type InitHostResult } from './init-host.js';
import { InstanceManager, type ImageSource } from './manager.js';
import { PowerSync } from './power-sync.js';
import { QemuDriver } from './qemu-driver.js';
import { serveCompute } from './rpc-handlers.js';

export interface ComputeHostOptions {
  bus: Bus;
  host: string;
  /** The host's network namespace (simulated hosts): QEMU and its taps live there. */
  netns?: string;
  stateDir: string;
  logger: Logger;
  clients: { image: ImageClient | ImageSource; network: NetworkClient; placement: PlacementClient };
  availabilityZone?: string;
  vifPlugTimeoutMs?: number;
  reportIntervalMs?: number;
  /** Default: this machine (host-resources.ts), disk from the instances directory. */
  resources?: () => HostResources | Promise<HostResources>;
  /** Default: probeAccelerator(). */
  accelerator?: Accelerator;
  /** Nova's shutdown_timeout (60 s). */
  shutdownTimeoutMs?: number;
  /** The underlay address other hosts reach this one at for disks and guest state (Nova's my_ip). */
  migrationAddress?: string;
  /** Nova's sync_power_state_interval (60 s). */
  powerSyncIntervalMs?: number;
}

export interface RunningComputeHost {
  host: string;
  agent: ComputeAgent;
  manager: InstanceManager;
  powerSync: PowerSync;
  /** What init_host did at start (undefined when it could not reach the conductor). */
  init: InitHostResult | undefined;
  stop(): Promise<void>;
}

export async function startComputeHost(options: ComputeHostOptions): Promise<RunningComputeHost> {
  const { bus, host, stateDir, logger } = options;
  const log = logger.child({ host });
  const files = new InstanceFiles(stateDir);
  await mkdir(files.instancesDir, { recursive: true, mode: 0o700 });
  let accelerator: Promise<Accelerator> | undefined = options.accelerator !== undefined ? Promise.resolve(options.accelerator) : undefined;
  const driver = new QemuDriver({
    stateDir, files, accelerator: () => (accelerator ??= probeAccelerator()),
    ...(options.netns !== undefined ? { netns: options.netns } : {}),
    ...(options.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: options.shutdownTimeoutMs } : {}),
  });
  const manager = new InstanceManager({
    bus, host, files, driver, image: options.clients.image, network: options.clients.network, logger: log,
    ...(options.availabilityZone !== undefined ? { availabilityZone: options.availabilityZone } : {}),
    ...(options.vifPlugTimeoutMs !== undefined ? { vifPlugTimeoutMs: options.vifPlugTimeoutMs } : {}),
    ...(options.migrationAddress !== undefined ? { migrationAddress: options.migrationAddress } : {}),
  });
  const agent = new ComputeAgent({
    bus, host, placement: options.clients.placement, logger: log,
    // The node is named after the service host: simulated hosts share one machine's hostname.
    resources: options.resources ?? (() => hostResources({ instancesDir: join(stateDir, 'instances'), hypervisorHostname: host })),
    ...(options.reportIntervalMs !== undefined ? { reportIntervalMs: options.reportIntervalMs } : {}),
    ...(options.availabilityZone !== undefined ? { availabilityZone: options.availabilityZone } : {}),
  });
  const powerSync = new PowerSync(manager, log, options.powerSyncIntervalMs ?? 60_000);
  let server: Server | undefined;
  let init: InitHostResult | undefined;
  try {
    await agent.start();
    init = await initHost(manager, log).catch((err: unknown) => {
      log.error({ err }, 'init_host failed; the power state sync still runs');
      return undefined;
    });
    server = await serveCompute(bus, host, manager);
    await powerSync.start();
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await agent.stop();
    await powerSync.stop();
    driver.close();
    throw error;
  }
  log.info('compute host started');
  return {
    host, agent, manager, powerSync, init,
    async stop() {
      await server?.stop();
      await powerSync.stop();
      await agent.stop();
      await manager.close();
    },
  };
}

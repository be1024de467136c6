// What the real-QEMU agent tests share: when they can run, the Placement and image doubles a
// compute host needs, small fixed host resources, the network service with the guest net's subnet, and the sweep that ends every guest a test
// started (by the pidfiles of its own state directory, never by name).
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import { startComputeHost, type RunningComputeHost } from '../../../src/compute/agent/compute-host.js';
import type { InstanceBuild } from '../../../src/compute/rpc/compute-protocol.js';
import { FakeConductor } from '../../support/fake-conductor.js';
import { startGuestNet, type GuestNet } from '../compute-guest/guest-net.js';
import { NetworkClient, type Image, type PlacementClient, type Port } from '../../../src/core/clients/index.js';
import { userTokenAuth } from '../../../src/compute/clients.js';
import type { HostResources } from '../../../src/compute/agent/host-resources.js';
import type { ImageSource } from '../../../src/compute/agent/manager.js';
import type { GuestImage } from '../../../src/compute/guest-image/index.js';
import { QemuProcessManager } from '../../../src/compute/virt/qemu-process.js';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

const isRoot = process.getuid?.() === 0;
const hasQemu = existsSync('/usr/bin/qemu-system-x86_64');
/** The reason to skip (node:test's `skip`), or false. */
export const QEMU_TEST_SKIP: string | false = !isRoot ? 'needs root' : !hasQemu ? 'needs qemu-system-x86' : false;

/** Placement double: the agent's registration only needs these three to succeed. */
export const PLACEMENT_DOUBLE = {
  ensureResourceProvider: async () => undefined,
  setInventories: async () => undefined,
  setProviderTraits: async () => undefined,
} as unknown as PlacementClient;

/**
 * An image service serving the built guest image as `imageId` with `properties` (Glance's
 * top-level image properties, e.g. hw_firmware_type); uploads and deletes go to the hooks.
 */
export function guestImageSource(imageId: string, guest: () => GuestImage, hooks: Partial<Pick<ImageSource, 'uploadImageData' | 'deleteImage'>> = {},
  properties: Record<string, string> = {}): ImageSource {
  return {
    getImage: async (id) => {
      if (id !== imageId) throw new Error(`image ${id} not found`);
      const g = guest();
      return { ...properties, id, status: 'active', disk_format: 'qcow2', os_hash_algo: 'sha256', os_hash_value: g.sha256, checksum: null, size: g.sizeBytes } as unknown as Image;
    },
    downloadImage: async (_id, dest) => { copyFileSync(guest().path, dest); },
    uploadImageData: hooks.uploadImageData ?? (async () => undefined),
    deleteImage: hooks.deleteImage ?? (async () => undefined),
    listImages: async () => [],
  };
}

/** A small fixed host (no /proc reading): 2 vCPUs, 4 GiB, 20 GB. */
export function testHostResources(host: string): () => HostResources {
  return () => ({
    hypervisor_hostname: host, hypervisor_version: 7002000, vcpus: 2, memory_mb: 4096, local_gb: 20, vcpus_used: 0, memory_mb_used: 512,
    local_gb_used: 0, running_vms: 0, disk_available_least: 20, cpu_info: { arch: 'x86_64' }, cpu_flags: [],
  });
}

/** Ends every guest whose pidfile is in `stateDir` (the QEMUs this test started), even after a failure. */
export async function destroyTestGuests(stateDir: string, netns: string): Promise<void> {
  const m = new QemuProcessManager({ stateDir, netns });
  for (const id of await m.list().catch(() => [] as string[])) await m.destroy(id).catch(() => undefined);
  m.close();
}

export interface AgentNetwork {
  readonly netsvc: NetworkHarness;
  /** The admin's client, as the agent's service credentials would be. */
  readonly network: NetworkClient;
  readonly networkId: string;
  readonly projectId: string;
}

/** The real network service on a 127.0.0.1 listener with one project network on the guest net's 10.93.0.0/24. */
export async function startAgentNetwork(name: string): Promise<AgentNetwork> {
  const netsvc = await startNetwork();
  const url = await netsvc.app.listen({ host: '127.0.0.1', port: 0 });
  const network = NetworkClient.create(userTokenAuth(netsvc.adminToken, { network: url }));
  const projectId = netsvc.alice.projectId;
  const n = await network.createNetwork({ name, project_id: projectId });
  await network.createSubnet({ network_id: n.id, project_id: projectId, cidr: '10.93.0.0/24', ip_version: 4, gateway_ip: '10.93.0.1', dns_nameservers: ['10.93.0.1'] });
  return { netsvc, network, networkId: n.id, projectId };
}

/** One compute host on real QEMU for a test: the memory bus, the conductor double, the network and guest net. */
export interface AgentTestHost extends AgentNetwork {
  readonly bus: Bus;
  readonly conductor: FakeConductor;
  readonly net: GuestNet;
  readonly host: RunningComputeHost;
  readonly stateDir: string;
  /** Stops everything and removes what the guest `uuid` left (QEMUs by pidfile, ports, files), even after a failure. */
  close(uuid: string): Promise<void>;
}

/** Starts `name`'s host with `images` as its image service; the guest net is `guestNet` (≤ 3 characters). */
export async function startAgentTestHost(name: string, guestNet: string, images: ImageSource): Promise<AgentTestHost> {
  const stateDir = mkdtempSync(join(tmpdir(), `nimbus-${guestNet}-`));
  const bus = await createBus({ driver: 'memory' });
  const conductor = new FakeConductor(name);
  await conductor.serve(bus);
  const agentNet = await startAgentNetwork(`${name}-net`);
  const net = await startGuestNet(guestNet);
  const host = await startComputeHost({
    bus, host: name, netns: net.netns, stateDir, logger: createLogger(process.env.NIMBUS_TEST_LOG ?? 'silent'),
    clients: { image: images, network: agentNet.network, placement: PLACEMENT_DOUBLE },
    vifPlugTimeoutMs: 60_000, shutdownTimeoutMs: 20_000, powerSyncIntervalMs: 3_600_000, reportIntervalMs: 3_600_000,
    resources: testHostResources(name),
  });
  const close = async (uuid: string): Promise<void> => {
    await host.stop().catch(() => undefined);
    await destroyTestGuests(stateDir, net.netns);
    for (const p of await agentNet.network.listPortsByDevice(uuid).catch(() => [] as Port[])) await agentNet.network.deletePort(p.id).catch(() => undefined);
    await conductor.server?.stop().catch(() => undefined);
    await net.close().catch(() => undefined);
    await agentNet.netsvc.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { ...agentNet, bus, conductor, net, host, stateDir, close };
}

/** A build of the 256 MiB, 1 vCPU, 1 GiB test flavor on the host's network, with a config drive. */
export function testBuild(t: AgentNetwork & { net: GuestNet }, uuid: string, imageId: string, hostname: string): InstanceBuild {
  return {
    uuid, project_id: t.projectId, user_id: 'u-test', display_name: hostname, hostname,
    flavor: { id: 1, flavorid: '1', name: 'm1.test', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: {} },
    image_id: imageId, key_name: 'k1', key_data: t.net.publicKey, user_data: null, config_drive: true, metadata: {},
    requested_networks: [{ network_id: t.networkId }], security_groups: ['default'], availability_zone: null, launch_index: 0,
    node_uuid: randomUUID(), attempt: 1, request_id: `req-${randomUUID()}`, admin_password: null,
  };
}

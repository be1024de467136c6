// A UEFI boot of the test image through the real agent (root; real QEMU under TCG): an image with
// hw_firmware_type=uefi and hw_machine_type=q35 boots on Debian's OVMF with the guest's own NVRAM
// copy; inside, the kernel sees EFI firmware (/sys/firmware/efi); stop and start keep the same
// NVRAM file; terminate removes it with the rest. The conductor is a double and the test plays
// the L2 agent, as in rescue-interfaces.test.ts. Everything is removed in after(), even on failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import type { NetworkClient, Port } from '../../../src/core/clients/index.js';
import { startComputeHost, type RunningComputeHost } from '../../../src/compute/agent/compute-host.js';
import { OVMF_CANDIDATES } from '../../../src/compute/agent/guest-hardware.js';
import { buildGuestImage, type GuestImage } from '../../../src/compute/guest-image/index.js';
import { tapName, type InstanceBuild } from '../../../src/compute/rpc/compute-protocol.js';
import { FakeConductor, type FakeServerState } from '../../support/fake-conductor.js';
import type { NetworkHarness } from '../../support/network-harness.js';
import { startGuestNet, waitFor, type GuestNet } from '../compute-guest/guest-net.js';
import { pidAlive } from '../../support/processes.js';
import { destroyTestGuests, guestImageSource, PLACEMENT_DOUBLE, QEMU_TEST_SKIP, startAgentNetwork, testHostResources } from './agent-host-fixtures.js';

const HOST = 'cmp-uefi-t';
const IMAGE_ID = 'c1a55e5e-0000-4000-8000-00000000ef11';
const hasOvmf = OVMF_CANDIDATES.some((c) => existsSync(c.code) && existsSync(c.vars));

describe('UEFI boot of the test image (real QEMU, OVMF)', { skip: QEMU_TEST_SKIP || (hasOvmf ? false : 'needs ovmf') }, () => {
  let bus: Bus;
  let conductor: FakeConductor;
  let netsvc: NetworkHarness;
  let network: NetworkClient;
  let net: GuestNet | undefined;
  let stateDir = '';
  let guest: GuestImage;
  let host: RunningComputeHost | undefined;
  let networkId = '';
  let projectId = '';
  const uuid = randomUUID();
  const logger = createLogger(process.env.NIMBUS_TEST_LOG ?? 'silent');
  const images = guestImageSource(IMAGE_ID, () => guest, {}, { hw_firmware_type: 'uefi', hw_machine_type: 'q35' });

  const cast = (method: string, args: Record<string, unknown> = {}) => bus.cast({ topic: 'compute', host: HOST }, method, { uuid, request_id: `req-${method}`, ...args });
  const expectState = (want: Partial<FakeServerState>, timeoutMs = 180_000) => waitFor(`server ${JSON.stringify(want)}`, () => {
    const s = conductor.servers.get(uuid);
    return s && Object.entries(want).every(([k, v]) => (s as unknown as Record<string, unknown>)[k] === v) ? s : undefined;
  }, timeoutMs, () => JSON.stringify({ state: conductor.servers.get(uuid), calls: conductor.calls.slice(-6) }));
  const consoleLog = () => (existsSync(host!.manager.files.consolePath(uuid)) ? readFileSync(host!.manager.files.consolePath(uuid), 'utf8') : '');
  const bootsSeen = () => consoleLog().split('nimbus-init: ready').length - 1;
  const ssh = (ip: string, command: string) => waitFor(`ssh ${command}`, () => net!.ssh('cirros', ip, command, 20_000), 60_000);

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-uefi-'));
    guest = await buildGuestImage({ outDir: join(process.cwd(), 'dist', 'guest-image') });
    bus = await createBus({ driver: 'memory' });
    conductor = new FakeConductor(HOST);
    await conductor.serve(bus);
    ({ netsvc, network, networkId, projectId } = await startAgentNetwork('uefi-net'));
    net = await startGuestNet('ue');
    host = await startComputeHost({
      bus, host: HOST, netns: net.netns, stateDir, logger, clients: { image: images, network, placement: PLACEMENT_DOUBLE },
      vifPlugTimeoutMs: 60_000, shutdownTimeoutMs: 20_000, powerSyncIntervalMs: 3_600_000, reportIntervalMs: 3_600_000,
      resources: testHostResources(HOST),
    });
  });

  after(async () => {
    await host?.stop().catch(() => undefined);
    if (stateDir && net) await destroyTestGuests(stateDir, net.netns);
    if (network) for (const p of await network.listPortsByDevice(uuid).catch(() => [] as Port[])) await network.deletePort(p.id).catch(() => undefined);
    await conductor?.server?.stop().catch(() => undefined);
    await net?.close().catch(() => undefined);
    await netsvc?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('boots on OVMF with its own NVRAM, kept across stop/start and removed by terminate', async () => {
    const m = host!.manager;
    conductor.servers.set(uuid, { vm_state: 'building', task_state: 'spawning', power_state: 0, network_info: [] });
    const build: InstanceBuild = {
      uuid, project_id: projectId, user_id: 'u-test', display_name: 'uefi vm', hostname: 'uefi-vm',
      flavor: { id: 1, flavorid: '1', name: 'm1.test', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: {} },
      image_id: IMAGE_ID, key_name: 'k1', key_data: net!.publicKey, user_data: null, config_drive: true, metadata: {},
      requested_networks: [{ network_id: networkId }], security_groups: ['default'], availability_zone: null, launch_index: 0,
      node_uuid: randomUUID(), attempt: 1, request_id: `req-${randomUUID()}`, admin_password: null,
    };
    const t0 = Date.now();
    await bus.cast({ topic: 'compute', host: HOST }, 'build_and_run_instance', { build });
    const [port] = await waitFor('the port', async () => { const p = await network.listPortsByDevice(uuid); return p.length > 0 ? p : undefined; }, 60_000);
    const ip = port!.fixed_ips[0]!.ip_address;
    await net!.addLease(port!.mac_address, ip, 'uefi-vm');
    await net!.plugTap(tapName(port!.id), 60_000);
    await bus.cast({ topic: 'compute', host: HOST }, 'external_instance_event', {
      events: [{ name: 'network-vif-plugged', server_uuid: uuid, tag: port!.id, status: 'completed' }],
    });
    await expectState({ vm_state: 'active', task_state: null, power_state: 1 });
    await waitFor('the first boot', () => bootsSeen() >= 1, 180_000, consoleLog);
    console.log(`# UEFI boot to ready: ${Date.now() - t0} ms wall`);

    const nvram = m.files.nvramPath(uuid);
    assert.ok(existsSync(nvram), 'the guest has its own NVRAM copy');
    const cmdline = readFileSync(`/proc/${(await m.driver.pid(uuid))!}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.some((a) => a.includes('if=pflash') && a.includes(nvram)), cmdline.join(' '));
    assert.ok(cmdline.some((a) => /q35/.test(a)), cmdline.join(' '));
    // The guest's kernel was started by EFI firmware.
    assert.equal((await ssh(ip, 'test -d /sys/firmware/efi && echo efi')).trim(), 'efi');

    // Stop and start: a new QEMU process on the same NVRAM file (not a fresh copy of the template).
    const inode = statSync(nvram).ino;
    conductor.servers.get(uuid)!.task_state = 'powering-off';
    await cast('stop_instance');
    await expectState({ vm_state: 'stopped', task_state: null, power_state: 4 });
    conductor.servers.get(uuid)!.task_state = 'powering-on';
    await cast('start_instance');
    await expectState({ vm_state: 'active', task_state: null, power_state: 1 });
    await waitFor('the second boot', () => bootsSeen() >= 2, 180_000, consoleLog);
    assert.equal(statSync(nvram).ino, inode, 'the guest keeps its NVRAM across power cycles');

    const pid = (await m.driver.pid(uuid))!;
    await cast('terminate_instance');
    await waitFor('instance_destroyed', () => conductor.called('instance_destroyed', (a) => a.uuid === uuid).length === 1, 30_000);
    assert.equal(pidAlive(pid), false);
    assert.equal(existsSync(nvram), false);
    assert.equal(existsSync(m.files.dir(uuid)), false);
  });
});

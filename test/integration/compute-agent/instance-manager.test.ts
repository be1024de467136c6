// The compute host end to end against real QEMU (root; TCG here), a real network service on a
// 127.0.0.1 listener (ports are real), a fake conductor served on the memory bus (records every
// call, keeps each server's states as the real one would, honouring expected_task_state), and an
// image double copying the locally built nimbus-cirros. The test plays the L2 agent: when the tap
// appears in the host namespace it plugs it into its bridge and casts network-vif-plugged.
// One server serves every step: build → console → agent restart re-adopts (same pid) → stop →
// start → QEMU killed, power sync marks it stopped → start → HARD reboot → terminate (no process,
// tap, directory or port left). Everything is removed in after(), even on failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import type { NetworkClient } from '../../../src/core/clients/index.js';
import { startComputeHost, type RunningComputeHost } from '../../../src/compute/agent/compute-host.js';
import { buildGuestImage, type GuestImage } from '../../../src/compute/guest-image/index.js';
import { diskInfo } from '../../../src/compute/virt/disks.js';
import { tapName, type InstanceBuild } from '../../../src/compute/rpc/compute-protocol.js';
import { NetnsHost } from '../../../src/hostnet/index.js';
import { FakeConductor, type FakeServerState } from '../../support/fake-conductor.js';
import type { NetworkHarness } from '../../support/network-harness.js';
import { startGuestNet, waitFor, type GuestNet } from '../compute-guest/guest-net.js';
import { pidAlive } from '../../support/processes.js';
import { destroyTestGuests, guestImageSource, PLACEMENT_DOUBLE, QEMU_TEST_SKIP, startAgentNetwork, testHostResources } from './agent-host-fixtures.js';

const HOST = 'cmp-agent-t';
const IMAGE_ID = 'c1a55e5e-0000-4000-8000-000000000001';

describe('compute agent instance manager (real QEMU, real ports)', { skip: QEMU_TEST_SKIP }, () => {
  let bus: Bus;
  let conductor: FakeConductor;
  let netsvc: NetworkHarness;
  let network: NetworkClient;
  let net: GuestNet | undefined;
  let stateDir = '';
  let imageDir = '';
  let guest: GuestImage;
  const hosts: RunningComputeHost[] = [];
  let networkId = '';
  let projectId = '';
  const uuid = randomUUID();
  const logger = createLogger(process.env.NIMBUS_TEST_LOG ?? 'silent');

  const images = guestImageSource(IMAGE_ID, () => guest, {
    uploadImageData: async (id, source) => {
      const dest = join(stateDir, `uploaded-${id}.qcow2`);
      copyFileSync(source, dest);
      uploaded.set(id, dest);
    },
    deleteImage: async (id) => { deletedImages.push(id); },
  });
  const uploaded = new Map<string, string>();
  const deletedImages: string[] = [];

  const startHost = async (): Promise<RunningComputeHost> => {
    const h = await startComputeHost({
      bus, host: HOST, netns: net!.netns, stateDir, logger, clients: { image: images, network, placement: PLACEMENT_DOUBLE },
      vifPlugTimeoutMs: 60_000, shutdownTimeoutMs: 30_000, powerSyncIntervalMs: 3_600_000, reportIntervalMs: 3_600_000,
      resources: testHostResources(HOST),
    });
    hosts.push(h);
    return h;
  };

  const buildFor = (id: string, overrides: Partial<InstanceBuild> = {}): InstanceBuild => ({
    uuid: id, project_id: projectId, user_id: 'u-test', display_name: 'agent vm', hostname: 'agent-vm',
    flavor: { id: 1, flavorid: '1', name: 'm1.test', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: {} },
    image_id: IMAGE_ID, key_name: 'k1', key_data: net!.publicKey, user_data: Buffer.from('#!/bin/sh\necho "AGENT-USERDATA on $(hostname)"\n').toString('base64'),
    config_drive: true, metadata: { role: 'test' }, requested_networks: [{ network_id: networkId }], security_groups: ['default'],
    availability_zone: null, launch_index: 0, node_uuid: randomUUID(), attempt: 1, request_id: `req-${randomUUID()}`, admin_password: null,
    ...overrides,
  });

  const expectState = (id: string, want: Partial<FakeServerState>, timeoutMs = 60_000) => waitFor(`server ${id} ${JSON.stringify(want)}`, () => {
    const s = conductor.servers.get(id);
    return s && Object.entries(want).every(([k, v]) => (s as unknown as Record<string, unknown>)[k] === v) ? s : undefined;
  }, timeoutMs, () => JSON.stringify({ state: conductor.servers.get(id), calls: conductor.calls.slice(-8) }));

  const console_ = async (length?: number): Promise<string> =>
    ((await bus.call({ topic: 'compute', host: HOST }, 'get_console_output', { uuid, ...(length !== undefined ? { length } : {}) }, { timeoutMs: 10_000 })) as { output: string }).output;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-ag-'));
    imageDir = join(process.cwd(), 'dist', 'guest-image');
    guest = await buildGuestImage({ outDir: imageDir });
    bus = await createBus({ driver: 'memory' });
    conductor = new FakeConductor(HOST);
    await conductor.serve(bus);
    ({ netsvc, network, networkId, projectId } = await startAgentNetwork('agent-net'));
    net = await startGuestNet('ag');
  });

  after(async () => {
    for (const h of hosts) await h.stop().catch(() => undefined);
    if (stateDir && net) await destroyTestGuests(stateDir, net.netns);
    if (network) for (const p of await network.listPortsByDevice(uuid).catch(() => [])) await network.deletePort(p.id).catch(() => undefined);
    await conductor?.server?.stop().catch(() => undefined);
    await net?.close().catch(() => undefined);
    await netsvc?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('a build the user got wrong fails without a reschedule and leaves nothing behind', async () => {
    const host = await startHost();
    const bad = randomUUID();
    conductor.servers.set(bad, { vm_state: 'building', task_state: 'spawning', power_state: 0, network_info: [] });
    await bus.cast({ topic: 'compute', host: HOST }, 'build_and_run_instance', { build: buildFor(bad, { requested_networks: [{ network_id: randomUUID() }] }) });
    const [failed] = await waitFor('build_failed', () => conductor.called('build_failed', (a) => a.uuid === bad)[0] && conductor.called('build_failed', (a) => a.uuid === bad), 30_000);
    assert.equal(failed!.reschedule, false);
    assert.match(failed!.reason, /could not be found/);
    assert.equal(conductor.called('action_event_finish', (a) => a.uuid === bad)[0]?.result, 'Error');
    assert.deepEqual(await network.listPortsByDevice(bad), []);
    assert.equal(existsSync(host.manager.files.dir(bad)), false);
    // Malformed casts never reach the manager.
    await bus.cast({ topic: 'compute', host: HOST }, 'build_and_run_instance', { build: { uuid: 'nope' } });
    await assert.rejects(bus.call({ topic: 'compute', host: HOST }, 'get_console_output', { uuid: 'x' }, { timeoutMs: 5000 }), /uuid must be a lower-case UUID/);
    await assert.rejects(bus.call({ topic: 'compute', host: HOST }, 'get_console_output', { uuid: randomUUID() }, { timeoutMs: 5000 }), /could not be found/);
  });

  it('builds, boots, re-adopts, stops, starts, reboots and terminates one server', async () => {
    let host = hosts[0]!;
    conductor.servers.set(uuid, { vm_state: 'building', task_state: 'spawning', power_state: 0, network_info: [] });
    const build = buildFor(uuid);
    const t0 = Date.now();
    await bus.cast({ topic: 'compute', host: HOST }, 'build_and_run_instance', { build });

    // The L2 agent's part: the port is ours, the tap shows up in the host namespace.
    const [port] = await waitFor('the port', async () => { const p = await network.listPortsByDevice(uuid); return p.length > 0 ? p : undefined; }, 60_000);
    assert.equal(port!['binding:host_id'], HOST);
    assert.equal(port!.device_owner, 'compute:nova');
    assert.equal(port!.project_id, projectId);
    const [sg] = await network.listSecurityGroupsByName('default', projectId);
    assert.deepEqual(port!.security_groups, [sg!.id]);
    const tap = tapName(port!.id);
    await net!.addLease(port!.mac_address, port!.fixed_ips[0]!.ip_address, 'agent-vm');
    await net!.plugTap(tap, 60_000);
    await bus.cast({ topic: 'compute', host: HOST }, 'external_instance_event', { events: [{ name: 'network-vif-plugged', server_uuid: uuid, tag: port!.id, status: 'completed' }] });
    await expectState(uuid, { vm_state: 'active', task_state: null, power_state: 1 });
    console.log(`# build to ACTIVE: ${Date.now() - t0} ms`);
    assert.deepEqual(conductor.called('action_event_start', (a) => a.uuid === uuid).map((a) => a.event), ['compute__do_build_and_run_instance']);
    assert.equal(conductor.called('action_event_finish', (a) => a.uuid === uuid)[0]?.result, 'Success');
    const active = conductor.called('instance_update', (a) => a.uuid === uuid && a.updates.vm_state === 'active')[0]!;
    assert.deepEqual(active.expected_task_state, ['spawning']);
    assert.match(active.updates.launched_at, /^\d{4}-\d\d-\d\dT/);
    const cache = conductor.servers.get(uuid)!.network_info as Record<string, any>[];
    assert.equal(cache.length, 1);
    assert.equal(cache[0]!.id, port!.id);
    assert.equal(cache[0]!.network.label, 'agent-net');
    assert.equal(cache[0]!.devname, tap);
    assert.equal(cache[0]!.preserve_on_delete, false);
    assert.deepEqual(cache[0]!.network.subnets[0].ips.map((i: { address: string }) => i.address), [port!.fixed_ips[0]!.ip_address]);

    // The guest's console, over RPC; the config drive carried the user data.
    const full = await waitFor('nimbus-init: ready', async () => { const o = await console_(); return /nimbus-init: ready/.test(o) ? o : undefined; }, 90_000,
      () => readFileSync(host.manager.files.consolePath(uuid), 'utf8'));
    assert.match(full, /nimbus-init: metadata ok from config-drive/);
    assert.match(full, /AGENT-USERDATA on agent-vm/);
    const tail = await console_(2);
    assert.equal(tail.split('\n').length, 2);
    assert.ok((await console_()).includes(tail), 'the last lines of the log');

    // Agent restart: the host stops (guests keep running), a new one re-adopts the same QEMU.
    const pid = (await host.manager.driver.pid(uuid))!;
    assert.ok(pidAlive(pid));
    await host.stop();
    assert.ok(pidAlive(pid), 'stopping the agent leaves the guest running');
    host = await startHost();
    assert.equal(await host.manager.driver.pid(uuid), pid, 're-adopted, same pid');
    assert.ok(conductor.called('instances_on_host').length >= 2, 'the power sync ran at start');
    assert.equal(await host.manager.driver.powerState(uuid), 1);

    // Stop: ACPI power button, QEMU exits, SHUTOFF.
    conductor.servers.get(uuid)!.task_state = 'powering-off';
    await bus.cast({ topic: 'compute', host: HOST }, 'stop_instance', { uuid, request_id: 'req-stop' });
    await expectState(uuid, { vm_state: 'stopped', task_state: null, power_state: 4 });
    assert.equal(pidAlive(pid), false, 'no QEMU process');
    assert.deepEqual(await host.manager.driver.list(), []);
    assert.equal(conductor.called('action_event_finish', (a) => a.event === 'compute_stop_instance')[0]?.result, 'Success');

    // Start: the same disk again, running, no new wait for ports.
    conductor.servers.get(uuid)!.task_state = 'powering-on';
    await bus.cast({ topic: 'compute', host: HOST }, 'start_instance', { uuid, request_id: 'req-start' });
    await expectState(uuid, { vm_state: 'active', task_state: null, power_state: 1 });
    const crashed = (await host.manager.driver.pid(uuid))!;
    assert.notEqual(crashed, pid);
    assert.ok(pidAlive(crashed));

    // QEMU dies behind the agent's back: the power sync records the server stopped (Nova's
    // "Instance shutdown by itself"), and a start brings it back.
    process.kill(crashed, 'SIGKILL');
    await waitFor('QEMU gone', () => !pidAlive(crashed), 10_000);
    const sync = await host.powerSync.syncNow();
    assert.deepEqual(sync?.markedStopped, [uuid]);
    await expectState(uuid, { vm_state: 'stopped', task_state: null, power_state: 4 }, 1000);
    conductor.servers.get(uuid)!.task_state = 'powering-on';
    await bus.cast({ topic: 'compute', host: HOST }, 'start_instance', { uuid, request_id: 'req-start-2' });
    await expectState(uuid, { vm_state: 'active', task_state: null, power_state: 1 });
    const pid2 = (await host.manager.driver.pid(uuid))!;
    assert.ok(pidAlive(pid2));
    await net!.plugTap(tap, 20_000);

    // HARD reboot: system_reset, same process, the guest boots again.
    const boots = (await console_()).split('nimbus-init: boot').length;
    conductor.servers.get(uuid)!.task_state = 'rebooting_hard';
    await bus.cast({ topic: 'compute', host: HOST }, 'reboot_instance', { uuid, request_id: 'req-reboot', reboot_type: 'HARD' });
    await expectState(uuid, { vm_state: 'active', task_state: null, power_state: 1 });
    assert.ok(conductor.called('instance_update', (a) => a.uuid === uuid && a.updates.task_state === 'reboot_started_hard').length === 1);
    assert.equal(conductor.called('action_event_finish', (a) => a.event === 'compute_reboot_instance')[0]?.result, 'Success');
    assert.equal(await host.manager.driver.pid(uuid), pid2, 'a hard reboot resets the guest in place');
    await waitFor('a second boot on the console', async () => (await console_()).split('nimbus-init: boot').length > boots, 60_000);

    // Pause / unpause: QMP stop and cont, the same process.
    const cast = (method: string, args: Record<string, unknown>) => bus.cast({ topic: 'compute', host: HOST }, method, { uuid, request_id: `req-${method}`, ...args });
    conductor.servers.get(uuid)!.task_state = 'pausing';
    await cast('pause_instance', {});
    await expectState(uuid, { vm_state: 'paused', task_state: null, power_state: 3 });
    assert.equal(await host.manager.driver.powerState(uuid), 3);
    conductor.servers.get(uuid)!.task_state = 'unpausing';
    await cast('unpause_instance', {});
    await expectState(uuid, { vm_state: 'active', task_state: null, power_state: 1 });
    assert.equal(await host.manager.driver.pid(uuid), pid2, 'pause keeps the process');

    // Snapshot: a standalone qcow2 (no backing file) uploaded into the API's image; still running.
    const snapId = randomUUID();
    conductor.servers.get(uuid)!.task_state = 'image_snapshot_pending';
    await cast('snapshot_instance', { image_id: snapId });
    await expectState(uuid, { vm_state: 'active', task_state: null });
    assert.equal(conductor.called('action_event_finish', (a) => a.event === 'compute_snapshot_instance')[0]?.result, 'Success');
    const snapInfo = await diskInfo(uploaded.get(snapId)!);
    assert.equal(snapInfo.format, 'qcow2');
    assert.equal(snapInfo.backingFile, undefined, 'the snapshot stands alone');
    assert.equal(await host.manager.driver.powerState(uuid), 1, 'the guest runs on after the snapshot');
    assert.equal(existsSync(host.manager.files.snapshotPath(uuid, snapId)), false, 'no snapshot file left on the host');

    // Suspend / resume: state to disk and no QEMU; back from the file without a new boot.
    const bootsBeforeSuspend = (await console_()).split('nimbus-init: boot').length;
    conductor.servers.get(uuid)!.task_state = 'suspending';
    await cast('suspend_instance', {});
    await expectState(uuid, { vm_state: 'suspended', task_state: null, power_state: 4 }, 120_000);
    assert.deepEqual(await host.manager.driver.list(), [], 'no QEMU for a suspended guest');
    assert.ok(existsSync(host.manager.files.suspendStatePath(uuid)));
    conductor.servers.get(uuid)!.task_state = 'resuming';
    await cast('resume_instance', {});
    await expectState(uuid, { vm_state: 'active', task_state: null, power_state: 1 }, 120_000);
    assert.equal(existsSync(host.manager.files.suspendStatePath(uuid)), false);
    assert.equal(await host.manager.driver.powerState(uuid), 1);
    assert.equal((await console_()).split('nimbus-init: boot').length, bootsBeforeSuspend, 'resumed, not booted');
    await net!.plugTap(tap, 20_000);

    // Rebuild: a new disk and config drive (new hostname and user data), the same port; it boots anew.
    conductor.servers.get(uuid)!.task_state = 'rebuilding';
    await cast('rebuild_instance', {
      image_id: IMAGE_ID, display_name: 'rebuilt', hostname: 'rebuilt-vm', key_name: 'k1', key_data: net!.publicKey,
      user_data: Buffer.from('#!/bin/sh\necho "REBUILT on $(hostname)"\n').toString('base64'), metadata: {}, admin_password: null, stopped: false,
    });
    await expectState(uuid, { vm_state: 'active', task_state: null, power_state: 1 }, 120_000);
    assert.equal(conductor.called('action_event_finish', (a) => a.event === 'compute_rebuild_instance')[0]?.result, 'Success');
    await net!.plugTap(tap, 20_000);
    await waitFor('the rebuilt guest runs its new user data', async () => /REBUILT on rebuilt-vm/.test(await console_()), 120_000);
    const pid3 = (await host.manager.driver.pid(uuid))!;
    assert.notEqual(pid3, pid2, 'a rebuild starts a new QEMU');

    // Terminate: no process, no tap, no files, the port deleted, instance_destroyed.
    await bus.cast({ topic: 'compute', host: HOST }, 'terminate_instance', { uuid, request_id: 'req-delete' });
    await waitFor('instance_destroyed', () => conductor.called('instance_destroyed', (a) => a.uuid === uuid).length === 1, 30_000);
    assert.equal(conductor.called('action_event_finish', (a) => a.event === 'compute_terminate_instance')[0]?.result, 'Success');
    assert.equal(pidAlive(pid3), false);
    assert.equal(await new NetnsHost(net!.netns).link(tap), undefined, 'no tap');
    assert.equal(existsSync(host.manager.files.dir(uuid)), false, 'no instance directory');
    assert.equal(await network.findPort(port!.id), undefined, 'port deleted');
    assert.deepEqual(await host.manager.driver.list(), []);
  });
});

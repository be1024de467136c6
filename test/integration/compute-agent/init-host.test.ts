// init_host after an agent restart (src/compute/agent/init-host.ts): every server the conductor
// places on the host, in each transitional state a dying agent can leave it in. A real network
// service (ports are real, on a 127.0.0.1 listener) and real instance files in a temporary
// directory; the conductor is a double on the memory bus (records calls, keeps states, honours
// expected_task_state) and so is the virt driver (records what it is asked, no QEMU: no root needed).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import { NetworkClient } from '../../../src/core/clients/index.js';
import { userTokenAuth } from '../../../src/compute/clients.js';
import { BUILD_INTERRUPTED, initHost } from '../../../src/compute/agent/init-host.js';
import { InstanceFiles } from '../../../src/compute/agent/instance-files.js';
import { InstanceManager } from '../../../src/compute/agent/manager.js';
import type { QemuDriver } from '../../../src/compute/agent/qemu-driver.js';
import { tapName, type InstanceBuild, type VifInfo } from '../../../src/compute/rpc/compute-protocol.js';
import { FakeConductor, type FakeServerState } from '../../support/fake-conductor.js';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

const HOST = 'cmp-init-t';

interface ServerState extends FakeServerState { network_info: VifInfo[]; request_id: string | null }

/** The virt driver double: which guests "run", and what was asked of it. */
class FakeDriver {
  readonly running = new Set<string>();
  readonly calls: string[] = [];
  /** powerOff waits for this when set (an operation in progress). */
  hold: Promise<void> | undefined;

  async list(): Promise<string[]> { return [...this.running]; }
  async adopt(uuid: string): Promise<number | undefined> { return this.running.has(uuid) ? 4242 : undefined; }
  async pid(uuid: string): Promise<number | undefined> { return this.adopt(uuid); }
  async powerState(uuid: string): Promise<number> { return this.running.has(uuid) ? 1 : 4; }
  async destroy(uuid: string): Promise<string> { this.calls.push(`destroy ${uuid}`); return this.running.delete(uuid) ? 'destroyed' : 'not-running'; }
  async powerOff(uuid: string): Promise<string> {
    this.calls.push(`powerOff ${uuid}`);
    await this.hold;
    return this.running.delete(uuid) ? 'powered-off' : 'not-running';
  }
  async spawn(record: { build: InstanceBuild; rescue?: unknown }): Promise<number> {
    this.calls.push(`spawn ${record.rescue ? 'rescue' : 'own'} ${record.build.uuid}`);
    this.running.add(record.build.uuid);
    return 4242;
  }
  async powerOn(record: { build: InstanceBuild }): Promise<number> { this.calls.push(`powerOn ${record.build.uuid}`); this.running.add(record.build.uuid); return 4242; }
  async reboot(record: { build: InstanceBuild }, type: string): Promise<string> {
    this.calls.push(`reboot ${type} ${record.build.uuid}`);
    this.running.add(record.build.uuid);
    return type.toLowerCase();
  }
  close(): void {}
}

describe('compute agent init_host (restart recovery)', () => {
  let bus: Bus;
  let conductor: FakeConductor<ServerState>;
  let netsvc: NetworkHarness;
  let network: NetworkClient;
  let driver: FakeDriver;
  let files: InstanceFiles;
  let manager: InstanceManager;
  let stateDir = '';
  let networkId = '';
  let projectId = '';
  const madePorts: string[] = [];
  const logger = createLogger(process.env.NIMBUS_TEST_LOG ?? 'silent');

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-init-'));
    bus = await createBus({ driver: 'memory' });
    conductor = new FakeConductor<ServerState>(HOST);
    await conductor.serve(bus);
    netsvc = await startNetwork();
    const url = await netsvc.app.listen({ host: '127.0.0.1', port: 0 });
    network = NetworkClient.create(userTokenAuth(netsvc.adminToken, { network: url }));
    projectId = netsvc.alice.projectId;
    const n = await network.createNetwork({ name: 'init-net', project_id: projectId });
    networkId = n.id;
    await network.createSubnet({ network_id: n.id, project_id: projectId, cidr: '10.94.0.0/24', ip_version: 4, gateway_ip: '10.94.0.1' });
  });

  beforeEach(() => {
    conductor.calls.length = 0;
    conductor.servers.clear();
    conductor.evacuations.length = 0;
    driver = new FakeDriver();
    files = new InstanceFiles(stateDir);
    manager = new InstanceManager({
      bus, host: HOST, files, driver: driver as unknown as QemuDriver, network, logger,
      image: {
        getImage: async () => { throw new Error('no images here'); }, downloadImage: async () => undefined,
        uploadImageData: async () => undefined, deleteImage: async () => undefined, listImages: async () => [],
      },
    });
  });

  after(async () => {
    for (const id of madePorts) await network?.deletePort(id).catch(() => undefined);
    await conductor?.server?.stop().catch(() => undefined);
    await netsvc?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  const buildFor = (uuid: string, overrides: Partial<InstanceBuild> = {}): InstanceBuild => ({
    uuid, project_id: projectId, user_id: 'u-test', display_name: 'vm', hostname: 'vm',
    flavor: { id: 1, flavorid: '1', name: 'm1.test', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: {} },
    image_id: randomUUID(), key_name: null, key_data: null, user_data: null, config_drive: false, metadata: {},
    requested_networks: [{ network_id: networkId }], security_groups: ['default'], availability_zone: null, launch_index: 0,
    node_uuid: randomUUID(), attempt: 1, request_id: `req-${randomUUID()}`, admin_password: null, ...overrides,
  });

  const server = (uuid: string, vm_state: string, task_state: string | null, extra: Partial<ServerState> = {}): void => {
    conductor.servers.set(uuid, { vm_state, task_state, power_state: 0, network_info: [], request_id: `req-${randomUUID()}`, ...extra });
  };

  async function port(deviceId: string): Promise<string> {
    const p = await network.createPort({ network_id: networkId, project_id: projectId, device_id: deviceId, device_owner: 'compute:nova', 'binding:host_id': HOST });
    madePorts.push(p.id);
    return p.id;
  }

  it('an interrupted build: guest, files and the ports it made go; the user\'s port is unbound; build_failed without reschedule', async () => {
    const uuid = randomUUID();
    // The user's port, bound by the build just before the agent died (not yet in build.json).
    const theirs = await network.createPort({ network_id: networkId, project_id: projectId });
    madePorts.push(theirs.id);
    await network.bindPort(theirs.id, { hostId: HOST, deviceId: uuid, deviceOwner: 'compute:nova' });
    const ours = await port(uuid);
    const build = buildFor(uuid, { requested_networks: [{ network_id: networkId }, { port_id: theirs.id }] });
    await files.saveRecord({ build, ports: [{ id: ours, mac: '', tap: tapName(ours), mtu: null, created: true }] });
    driver.running.add(uuid); // QEMU was up, waiting for network-vif-plugged
    server(uuid, 'building', 'spawning');

    const result = await initHost(manager, logger);
    await result.done;
    assert.deepEqual(result.abandonedBuilds, [uuid]);
    assert.deepEqual(driver.calls, [`destroy ${uuid}`]);
    assert.equal(await network.findPort(ours), undefined, 'the port the build made is deleted');
    const kept = await network.findPort(theirs.id);
    assert.ok(kept, 'the user\'s port is kept');
    assert.equal(kept.device_id, '');
    assert.equal(kept['binding:host_id'], '');
    assert.equal(existsSync(files.dir(uuid)), false, 'no instance directory');
    const [finish] = conductor.called('action_event_finish', (a) => a.uuid === uuid);
    assert.deepEqual([finish?.event, finish?.result, finish?.request_id], ['compute__do_build_and_run_instance', 'Error', build.request_id]);
    const [failed] = conductor.called('build_failed', (a) => a.uuid === uuid);
    assert.deepEqual(failed, { uuid, host: HOST, request_id: build.request_id, reason: BUILD_INTERRUPTED, reschedule: false });
    assert.equal(conductor.servers.get(uuid)?.vm_state, 'error');
  });

  it('a server evacuated while the host was down: its guest and files go first, its ports stay the destination\'s', async () => {
    const uuid = randomUUID();
    const migration = randomUUID();
    const ours = await port(uuid);
    // The destination has bound the port to itself meanwhile.
    await network.bindPort(ours, { hostId: 'cmp-dest-t', deviceId: uuid, deviceOwner: 'compute:nova' });
    await files.saveRecord({ build: buildFor(uuid), ports: [{ id: ours, mac: '', tap: tapName(ours), mtu: null, created: true }] });
    driver.running.add(uuid); // the guest survived: the agent died, not the host
    conductor.evacuations.push({ uuid, migration_uuid: migration });
    const settled = randomUUID();
    await files.saveRecord({ build: buildFor(settled), ports: [] });
    server(settled, 'active', null);

    const result = await initHost(manager, logger);
    await result.done;
    assert.deepEqual(result.evacuated, [uuid]);
    assert.deepEqual(driver.calls, [`destroy ${uuid}`], 'only the evacuated guest is touched');
    assert.equal(existsSync(files.dir(uuid)), false, 'no instance directory');
    assert.equal(existsSync(files.dir(settled)), true);
    const kept = await network.findPort(ours);
    assert.deepEqual([kept?.device_id, kept?.['binding:host_id']], [uuid, 'cmp-dest-t'], 'the port is left as the destination bound it');
    assert.deepEqual(conductor.called('evacuation_cleaned'), [{ uuid, migration_uuid: migration, host: HOST }]);
    assert.equal(conductor.evacuations.length, 0);
  });

  it('a build cut off before it recorded anything still fails, under the conductor\'s request id', async () => {
    const uuid = randomUUID();
    server(uuid, 'building', 'spawning');
    const result = await initHost(manager, logger);
    assert.deepEqual(result.abandonedBuilds, [uuid]);
    const [failed] = conductor.called('build_failed', (a) => a.uuid === uuid);
    assert.equal(failed?.request_id, conductor.servers.get(uuid)?.request_id);
    assert.equal(failed?.reschedule, false);
  });

  it('resumes delete, stop, start and reboots; clears a reboot that got through; leaves settled servers to the power sync', async () => {
    const ids = {
      deleting: randomUUID(), deletingBuild: randomUUID(), stopping: randomUUID(), starting: randomUUID(), hard: randomUUID(),
      softRunning: randomUUID(), softDown: randomUUID(), startedRunning: randomUUID(), settled: randomUUID(),
    };
    for (const uuid of Object.values(ids)) await files.saveRecord({ build: buildFor(uuid), ports: [] });
    const deletePort = await port(ids.deleting);
    // The build being deleted had bound the user's port but not recorded it yet.
    const theirs = await network.createPort({ network_id: networkId, project_id: projectId });
    madePorts.push(theirs.id);
    await network.bindPort(theirs.id, { hostId: HOST, deviceId: ids.deletingBuild, deviceOwner: 'compute:nova' });
    await files.saveRecord({ build: buildFor(ids.deletingBuild, { requested_networks: [{ port_id: theirs.id }] }), ports: [] });
    server(ids.deleting, 'active', 'deleting');
    server(ids.deletingBuild, 'building', 'deleting'); // deleted while the agent was away mid-build
    server(ids.stopping, 'active', 'powering-off');
    server(ids.starting, 'stopped', 'powering-on');
    server(ids.hard, 'active', 'rebooting_hard');
    server(ids.softRunning, 'active', 'rebooting');
    server(ids.softDown, 'active', 'reboot_started');
    server(ids.startedRunning, 'active', 'reboot_started_hard');
    server(ids.settled, 'active', null, { power_state: 1 });
    for (const uuid of [ids.deleting, ids.stopping, ids.softRunning, ids.startedRunning, ids.settled]) driver.running.add(uuid);

    const result = await initHost(manager, logger);
    await result.done;
    const tasks = Object.fromEntries(result.resumed.map((r) => [r.uuid, r.task]));
    assert.deepEqual(tasks, {
      [ids.deleting]: 'terminate', [ids.deletingBuild]: 'terminate', [ids.stopping]: 'stop', [ids.starting]: 'start',
      [ids.hard]: 'reboot-hard', [ids.softRunning]: 'reboot-soft', [ids.softDown]: 'reboot-hard',
    });
    assert.deepEqual(result.rebootsCleared, [ids.startedRunning]);
    assert.deepEqual(result.abandonedBuilds, [], 'a delete wins over an interrupted build');

    // Terminated: destroyed, port deleted, files gone, the conductor told under the delete's request id.
    for (const uuid of [ids.deleting, ids.deletingBuild]) {
      assert.ok(driver.calls.includes(`destroy ${uuid}`));
      assert.equal(existsSync(files.dir(uuid)), false);
      assert.equal(conductor.servers.has(uuid), false);
    }
    assert.equal(await network.findPort(deletePort), undefined);
    assert.equal((await network.findPort(theirs.id))?.device_id, '', 'the user\'s port is unbound, not deleted');
    const destroyed = conductor.called('instance_destroyed', (a) => a.uuid === ids.deleting)[0];
    assert.ok(destroyed);
    assert.equal(typeof destroyed.request_id, 'string');
    assert.equal(conductor.called('action_event_start', (a) => a.uuid === ids.deleting)[0]?.request_id, destroyed.request_id);

    const state = (uuid: string) => { const s = conductor.servers.get(uuid)!; return [s.vm_state, s.task_state, s.power_state]; };
    assert.deepEqual(state(ids.stopping), ['stopped', null, 4]);
    assert.ok(driver.calls.includes(`powerOff ${ids.stopping}`));
    assert.deepEqual(state(ids.starting), ['active', null, 1]);
    assert.ok(driver.calls.includes(`powerOn ${ids.starting}`));
    assert.deepEqual(state(ids.hard), ['active', null, 1]);
    assert.ok(driver.calls.includes(`reboot HARD ${ids.hard}`));
    assert.ok(driver.calls.includes(`reboot SOFT ${ids.softRunning}`));
    // A soft reboot that had stopped the guest becomes a hard one (Nova's _retry_reboot).
    assert.ok(driver.calls.includes(`reboot HARD ${ids.softDown}`));
    assert.ok(conductor.called('instance_update', (a) => a.uuid === ids.softDown && a.updates.task_state === 'reboot_pending_hard').length === 1);
    assert.deepEqual(state(ids.softDown), ['active', null, 1]);
    // Started and running: cleared, not rebooted again.
    assert.deepEqual(state(ids.startedRunning), ['active', null, 1]);
    assert.ok(!driver.calls.some((c) => c.endsWith(ids.startedRunning)));
    // Settled: nothing asked of the driver, nothing written.
    assert.ok(!driver.calls.some((c) => c.endsWith(ids.settled)));
    assert.equal(conductor.called('instance_update', (a) => a.uuid === ids.settled).length, 0);
    assert.equal(conductor.calls.filter((c) => c.method === 'build_failed').length, 0);
  });

  it('finishes a rescue build.json already records, fails one cut off earlier, and unrescues again', async () => {
    const recorded = randomUUID();
    const early = randomUUID();
    const unrescuing = randomUUID();
    const rescue = { image_id: randomUUID() };
    await files.saveRecord({ build: buildFor(recorded), ports: [], rescue });
    await files.saveRecord({ build: buildFor(early), ports: [] });
    await files.saveRecord({ build: buildFor(unrescuing), ports: [], rescue });
    server(recorded, 'active', 'rescuing');
    server(early, 'stopped', 'rescuing');
    server(unrescuing, 'rescued', 'unrescuing');
    driver.running.add(unrescuing);

    const result = await initHost(manager, logger);
    await result.done;
    assert.deepEqual(Object.fromEntries(result.resumed.map((r) => [r.uuid, r.task])), { [recorded]: 'rescue', [early]: 'rescue', [unrescuing]: 'unrescue' });
    assert.deepEqual(conductor.servers.get(recorded), { ...conductor.servers.get(recorded)!, vm_state: 'rescued', task_state: null, power_state: 1 });
    assert.ok(driver.calls.includes(`spawn rescue ${recorded}`), 'the rescue disk boots');
    assert.equal(conductor.servers.get(early)!.vm_state, 'error');
    assert.equal(conductor.servers.get(early)!.task_state, null);
    assert.ok(!driver.calls.includes(`spawn own ${early}`) && !driver.calls.includes(`spawn rescue ${early}`));
    assert.equal(conductor.called('instance_fault_create', (a) => a.uuid === early).length, 1);
    assert.equal(conductor.servers.get(unrescuing)!.vm_state, 'active');
    assert.ok(driver.calls.includes(`destroy ${unrescuing}`) && driver.calls.includes(`spawn own ${unrescuing}`), 'the own disk boots again');
    assert.equal((await files.loadRecord(unrescuing))?.rescue, undefined);
    assert.deepEqual((await files.loadRecord(recorded))?.rescue, rescue);
  });

  it('leaves a server alone while this process works on it', async () => {
    const uuid = randomUUID();
    await files.saveRecord({ build: buildFor(uuid), ports: [] });
    server(uuid, 'active', 'powering-off');
    driver.running.add(uuid);
    let release!: () => void;
    driver.hold = new Promise((r) => { release = r; });
    const stopping = manager.stopInstance({ uuid, request_id: 'req-stop-now' });
    await new Promise((r) => setTimeout(r, 20));
    const result = await initHost(manager, logger);
    assert.deepEqual(result.resumed, []);
    release();
    await stopping;
    await result.done;
    assert.equal(driver.calls.filter((c) => c === `powerOff ${uuid}`).length, 1, 'stopped once');
    assert.deepEqual(conductor.servers.get(uuid)?.vm_state, 'stopped');
  });
});

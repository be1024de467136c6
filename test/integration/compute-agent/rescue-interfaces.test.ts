// Rescue and interface hot-plug on real QEMU (root; TCG here), with the real network service on a
// 127.0.0.1 listener, the conductor double and the test playing the L2 agent (as in
// instance-manager.test.ts). One guest: built → a marker written at 64 MiB into its own disk over
// SSH → rescued (a new QEMU boots the rescue disk as /dev/vda, the own disk — marker and all — is
// /dev/vdb, the rescue config drive carries the rescue password) → unrescued (the own disk is
// /dev/vda again, no second disk) → a NIC attached on the network (eth1 with the port's MAC
// appears inside the guest, build.json and the info cache list two ports) → detached (eth1 gone,
// the port deleted) → terminated. Everything is removed in after(), even on failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Bus } from '../../../src/bus/index.js';
import type { NetworkClient } from '../../../src/core/clients/index.js';
import type { RunningComputeHost } from '../../../src/compute/agent/compute-host.js';
import { buildGuestImage, type GuestImage } from '../../../src/compute/guest-image/index.js';
import { tapName } from '../../../src/compute/rpc/compute-protocol.js';
import { NetnsHost } from '../../../src/hostnet/index.js';
import type { FakeConductor, FakeServerState } from '../../support/fake-conductor.js';
import { waitFor, type GuestNet } from '../compute-guest/guest-net.js';
import { pidAlive } from '../../support/processes.js';
import { guestImageSource, QEMU_TEST_SKIP, startAgentTestHost, testBuild, type AgentTestHost } from './agent-host-fixtures.js';

const HOST = 'cmp-rescue-t';
const IMAGE_ID = 'c1a55e5e-0000-4000-8000-000000000002';
const MARKER = 'NIMBUS-OWN-DISK-MARKER';

describe('rescue and interface hot-plug (real QEMU, real ports)', { skip: QEMU_TEST_SKIP }, () => {
  let bus: Bus;
  let conductor: FakeConductor;
  let network: NetworkClient;
  let net: GuestNet | undefined;
  let fixture: AgentTestHost | undefined;
  let guest: GuestImage;
  let host: RunningComputeHost | undefined;
  let networkId = '';
  const uuid = randomUUID();

  const images = guestImageSource(IMAGE_ID, () => guest);

  const cast = (method: string, args: Record<string, unknown> = {}) => bus.cast({ topic: 'compute', host: HOST }, method, { uuid, request_id: `req-${method}`, ...args });
  const state = () => conductor.servers.get(uuid)!;
  const expectState = (want: Partial<FakeServerState>, timeoutMs = 120_000) => waitFor(`server ${JSON.stringify(want)}`, () => {
    const s = conductor.servers.get(uuid);
    return s && Object.entries(want).every(([k, v]) => (s as unknown as Record<string, unknown>)[k] === v) ? s : undefined;
  }, timeoutMs, () => JSON.stringify({ state: conductor.servers.get(uuid), calls: conductor.calls.slice(-6) }));
  const consoleLog = () => (existsSync(host!.manager.files.consolePath(uuid)) ? readFileSync(host!.manager.files.consolePath(uuid), 'utf8') : '');
  const bootsSeen = () => consoleLog().split('nimbus-init: ready').length - 1;
  const vifPlugged = (portId: string) => bus.cast({ topic: 'compute', host: HOST }, 'external_instance_event', {
    events: [{ name: 'network-vif-plugged', server_uuid: uuid, tag: portId, status: 'completed' }],
  });
  /** The guest answers SSH (retried: dropbear comes up after the ready line). */
  const ssh = (ip: string, command: string) => waitFor(`ssh ${command}`, () => net!.ssh('cirros', ip, command, 20_000), 60_000);

  before(async () => {
    guest = await buildGuestImage({ outDir: join(process.cwd(), 'dist', 'guest-image') });
    fixture = await startAgentTestHost(HOST, 'rs', images);
    ({ bus, conductor, network, networkId, net, host } = fixture);
  });

  after(async () => {
    await fixture?.close(uuid);
  });

  it('rescues from a rescue disk with the own disk second, unrescues, hot-plugs and unplugs a NIC', async () => {
    const m = host!.manager;
    conductor.servers.set(uuid, { vm_state: 'building', task_state: 'spawning', power_state: 0, network_info: [] });
    const build = testBuild(fixture!, uuid, IMAGE_ID, 'rescue-vm');
    await bus.cast({ topic: 'compute', host: HOST }, 'build_and_run_instance', { build });
    const [port] = await waitFor('the port', async () => { const p = await network.listPortsByDevice(uuid); return p.length > 0 ? p : undefined; }, 60_000);
    const ip = port!.fixed_ips[0]!.ip_address;
    const tap = tapName(port!.id);
    await net!.addLease(port!.mac_address, ip, 'rescue-vm');
    await net!.plugTap(tap, 60_000);
    await vifPlugged(port!.id);
    await expectState({ vm_state: 'active', task_state: null, power_state: 1 });
    await waitFor('the first boot', () => bootsSeen() >= 1, 120_000, consoleLog);

    // Mark the own disk past the image's 32 MiB (the flavor grew it to 1 GiB).
    await ssh(ip, `printf ${MARKER} | dd of=/dev/vda bs=1M seek=64 conv=notrunc 2>/dev/null; sync`);
    const readMarker = (dev: string) => ssh(ip, `dd if=${dev} bs=1M skip=64 count=1 2>/dev/null | head -c ${MARKER.length}; echo`);
    assert.equal((await readMarker('/dev/vda')).trim(), MARKER);

    // Rescue: a new QEMU; the rescue disk boots as vda, the own disk is vdb.
    const pidBefore = (await m.driver.pid(uuid))!;
    state().task_state = 'rescuing';
    await cast('rescue_instance', { rescue_image_id: IMAGE_ID, admin_password: 'rescue-pw' });
    await expectState({ vm_state: 'rescued', task_state: null, power_state: 1 });
    assert.equal(conductor.called('action_event_finish', (a) => a.event === 'compute_rescue_instance')[0]?.result, 'Success');
    assert.equal(pidAlive(pidBefore), false, 'the own guest ended');
    assert.deepEqual((await m.files.loadRecord(uuid))?.rescue, { image_id: IMAGE_ID }, 'build.json says rescued');
    assert.ok(existsSync(m.files.rescueDiskPath(uuid)));
    const extracted = join(fixture!.stateDir, 'rescue-meta_data.json');
    execFileSync('xorriso', ['-indev', m.files.rescueConfigDrivePath(uuid), '-osirrox', 'on', '-extract', '/openstack/latest/meta_data.json', extracted], { stdio: 'ignore' });
    const isoText = readFileSync(extracted, 'utf8');
    assert.match(isoText, /"admin_pass":\s*"rescue-pw"/, 'the rescue password on the rescue config drive');
    await net!.plugTap(tap, 30_000);
    await waitFor('the rescue boot', () => bootsSeen() >= 2, 120_000, consoleLog);
    assert.equal((await readMarker('/dev/vdb')).trim(), MARKER, 'the own disk is the second disk');
    assert.notEqual((await readMarker('/dev/vda')).trim(), MARKER, 'the rescue disk is a fresh one');

    // Unrescue: the own disk boots again, alone.
    state().task_state = 'unrescuing';
    await cast('unrescue_instance');
    await expectState({ vm_state: 'active', task_state: null, power_state: 1 });
    assert.equal((await m.files.loadRecord(uuid))?.rescue, undefined);
    assert.equal(existsSync(m.files.rescueDiskPath(uuid)), false, 'no rescue disk left');
    assert.equal(existsSync(m.files.rescueConfigDrivePath(uuid)), false);
    await net!.plugTap(tap, 30_000);
    await waitFor('the unrescued boot', () => bootsSeen() >= 3, 120_000, consoleLog);
    assert.equal((await readMarker('/dev/vda')).trim(), MARKER, 'the own disk boots again');
    assert.equal((await ssh(ip, 'test -e /dev/vdb && echo yes || echo no')).trim(), 'no', 'no second disk');

    // Attach: a call; the test plugs the new tap and reports it, as the L2 agent and Neutron would.
    const attaching = bus.call({ topic: 'compute', host: HOST }, 'attach_interface', { uuid, request_id: 'req-attach', network_id: networkId }, { timeoutMs: 120_000 });
    const second = await waitFor('the second port', async () => (await network.listPortsByDevice(uuid)).find((p) => p.id !== port!.id), 60_000);
    await net!.plugTap(tapName(second.id), 30_000);
    await vifPlugged(second.id);
    assert.deepEqual(await attaching, { port_id: second.id });
    assert.equal(conductor.called('action_event_finish', (a) => a.event === 'compute_attach_interface')[0]?.result, 'Success');
    assert.deepEqual((await m.files.loadRecord(uuid))?.ports.map((p) => p.id), [port!.id, second.id]);
    assert.deepEqual((state().network_info as { id: string }[]).map((v) => v.id), [port!.id, second.id]);
    await waitFor('eth1 in the guest with the port\'s MAC', async () => (await ssh(ip, 'cat /sys/class/net/eth1/address 2>/dev/null; true')).trim() === second.mac_address, 60_000);

    // Detach: unplugged in the guest, the agent's port deleted, the record and the cache back to one.
    await cast('detach_interface', { port_id: second.id });
    await waitFor('detach finished', () => conductor.called('action_event_finish', (a) => a.event === 'compute_detach_interface').length === 1, 60_000);
    assert.equal(conductor.called('action_event_finish', (a) => a.event === 'compute_detach_interface')[0]?.result, 'Success',
      JSON.stringify(conductor.called('action_event_finish', (a) => a.event === 'compute_detach_interface')));
    assert.equal((await ssh(ip, 'test -e /sys/class/net/eth1 && echo yes || echo no')).trim(), 'no', 'eth1 gone');
    assert.equal(await network.findPort(second.id), undefined, 'the port the agent made is deleted');
    assert.equal(await new NetnsHost(net!.netns).link(tapName(second.id)), undefined, 'its tap is gone');
    assert.deepEqual((await m.files.loadRecord(uuid))?.ports.map((p) => p.id), [port!.id]);
    assert.deepEqual((state().network_info as { id: string }[]).map((v) => v.id), [port!.id]);

    // Terminate leaves nothing.
    const pid = (await m.driver.pid(uuid))!;
    await cast('terminate_instance');
    await waitFor('instance_destroyed', () => conductor.called('instance_destroyed', (a) => a.uuid === uuid).length === 1, 30_000);
    assert.equal(pidAlive(pid), false);
    assert.equal(existsSync(m.files.dir(uuid)), false);
    assert.deepEqual(await network.listPortsByDevice(uuid), []);
  });
});

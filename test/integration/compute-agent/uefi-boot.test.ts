// A UEFI boot of the test image through the real agent (root; real QEMU under TCG): an image with
// hw_firmware_type=uefi and hw_machine_type=q35 boots on Debian's OVMF with the guest's own NVRAM
// copy; inside, the kernel sees EFI firmware (/sys/firmware/efi); stop and start keep the same
// NVRAM file; terminate removes it with the rest. The conductor is a double and the test plays
// the L2 agent, as in rescue-interfaces.test.ts. Everything is removed in after(), even on failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OVMF_CANDIDATES } from '../../../src/compute/agent/guest-hardware.js';
import { buildGuestImage, type GuestImage } from '../../../src/compute/guest-image/index.js';
import { tapName } from '../../../src/compute/rpc/compute-protocol.js';
import type { FakeServerState } from '../../support/fake-conductor.js';
import { waitFor } from '../compute-guest/guest-net.js';
import { pidAlive } from '../../support/processes.js';
import { guestImageSource, QEMU_TEST_SKIP, startAgentTestHost, testBuild, type AgentTestHost } from './agent-host-fixtures.js';

const HOST = 'cmp-uefi-t';
const IMAGE_ID = 'c1a55e5e-0000-4000-8000-00000000ef11';
const hasOvmf = OVMF_CANDIDATES.some((c) => existsSync(c.code) && existsSync(c.vars));

describe('UEFI boot of the test image (real QEMU, OVMF)', { skip: QEMU_TEST_SKIP || (hasOvmf ? false : 'needs ovmf') }, () => {
  let t: AgentTestHost | undefined;
  let guest: GuestImage;
  const uuid = randomUUID();
  const images = guestImageSource(IMAGE_ID, () => guest, {}, { hw_firmware_type: 'uefi', hw_machine_type: 'q35' });

  const cast = (method: string, args: Record<string, unknown> = {}) => t!.bus.cast({ topic: 'compute', host: HOST }, method, { uuid, request_id: `req-${method}`, ...args });
  const expectState = (want: Partial<FakeServerState>, timeoutMs = 180_000) => waitFor(`server ${JSON.stringify(want)}`, () => {
    const s = t!.conductor.servers.get(uuid);
    return s && Object.entries(want).every(([k, v]) => (s as unknown as Record<string, unknown>)[k] === v) ? s : undefined;
  }, timeoutMs, () => JSON.stringify({ state: t!.conductor.servers.get(uuid), calls: t!.conductor.calls.slice(-6) }));
  const consoleLog = () => (existsSync(t!.host.manager.files.consolePath(uuid)) ? readFileSync(t!.host.manager.files.consolePath(uuid), 'utf8') : '');
  const bootsSeen = () => consoleLog().split('nimbus-init: ready').length - 1;
  const ssh = (ip: string, command: string) => waitFor(`ssh ${command}`, () => t!.net.ssh('cirros', ip, command, 20_000), 60_000);

  before(async () => {
    guest = await buildGuestImage({ outDir: join(process.cwd(), 'dist', 'guest-image') });
    t = await startAgentTestHost(HOST, 'ue', images);
  });

  after(async () => {
    await t?.close(uuid);
  });

  it('boots on OVMF with its own NVRAM, kept across stop/start and removed by terminate', async () => {
    const m = t!.host.manager;
    const { bus, conductor, network, net } = t!;
    conductor.servers.set(uuid, { vm_state: 'building', task_state: 'spawning', power_state: 0, network_info: [] });
    const build = testBuild(t!, uuid, IMAGE_ID, 'uefi-vm');
    const started = Date.now();
    await bus.cast({ topic: 'compute', host: HOST }, 'build_and_run_instance', { build });
    const [port] = await waitFor('the port', async () => { const p = await network.listPortsByDevice(uuid); return p.length > 0 ? p : undefined; }, 60_000);
    const ip = port!.fixed_ips[0]!.ip_address;
    await net.addLease(port!.mac_address, ip, 'uefi-vm');
    await net.plugTap(tapName(port!.id), 60_000);
    await bus.cast({ topic: 'compute', host: HOST }, 'external_instance_event', {
      events: [{ name: 'network-vif-plugged', server_uuid: uuid, tag: port!.id, status: 'completed' }],
    });
    await expectState({ vm_state: 'active', task_state: null, power_state: 1 });
    await waitFor('the first boot', () => bootsSeen() >= 1, 180_000, consoleLog);
    console.log(`# UEFI boot to ready: ${Date.now() - started} ms wall`);

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

// The QEMU driver primitives against real QEMU (root; TCG here): the accelerator probe; QEMU
// accepting every command line the builder makes (paused guests in a test namespace); and the
// nimbus-cirros image booted through QemuProcessManager in a test namespace with a config drive —
// QMP status, re-adoption by a new manager while it runs, graceful stop by the power button, and no
// process, pidfile, socket or tap left. Everything is removed in after(), even on failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsHost, run } from '../../../src/hostnet/index.js';
import { buildGuestImage, type GuestImage } from '../../../src/compute/guest-image/index.js';
import { probeAcceleratorDetailed, resetAcceleratorProbe } from '../../../src/compute/virt/kvm.js';
import { QemuProcessManager, type StartSpec } from '../../../src/compute/virt/qemu-process.js';
import { buildConfigDrive, createOverlay } from '../../../src/compute/virt/disks.js';
import { MTU, readText, startGuestNet, waitFor, type GuestNet } from '../compute-guest/guest-net.js';
import { pidAlive } from '../../support/processes.js';

const isRoot = process.getuid?.() === 0;
const hasQemu = existsSync('/usr/bin/qemu-system-x86_64');
const skip = !isRoot ? 'needs root' : !hasQemu ? 'needs qemu-system-x86' : false;

describe('accelerator probe', { skip }, () => {
  it('answers kvm or tcg with a reason, caches it, and leaves no process or file', async () => {
    resetAcceleratorProbe();
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('nimbus-kvm-probe-'));
    const first = await probeAcceleratorDetailed(8000);
    console.log(`# accelerator: ${first.accelerator} (${first.reason}, ${first.ms} ms)`);
    assert.ok(first.accelerator === 'kvm' || first.accelerator === 'tcg');
    assert.ok(first.reason.length > 0);
    const t0 = Date.now();
    assert.equal(await probeAcceleratorDetailed(8000), first, 'cached');
    assert.ok(Date.now() - t0 < 50);
    assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith('nimbus-kvm-probe-')), before);
    // The success path: the same probe guest under TCG reaches its boot loader.
    const tcg = await probeAcceleratorDetailed(8000, { refresh: true, probeWith: 'tcg' });
    assert.equal(tcg.accelerator, 'kvm', tcg.reason);
    assert.match(tcg.reason, /boot loader/);
    const none = await probeAcceleratorDetailed(8000, { refresh: true, kvmDevice: '/nonexistent/kvm' });
    assert.deepEqual([none.accelerator, none.reason], ['tcg', '/nonexistent/kvm is not available']);
    resetAcceleratorProbe();
  });
});

describe('QEMU processes', { skip }, () => {
  let work = '';
  let image: GuestImage;
  let net: GuestNet | undefined;
  const managers: QemuProcessManager[] = [];
  const newManager = (): QemuProcessManager => {
    const m = new QemuProcessManager({ stateDir: join(work, 'state'), netns: net!.netns });
    managers.push(m);
    return m;
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'nimbus-virt-'));
    net = await startGuestNet('cv');
  });

  after(async () => {
    const m = managers[0];
    if (m) for (const uuid of await m.list().catch(() => [] as string[])) await m.destroy(uuid).catch(() => undefined);
    for (const manager of managers) manager.close();
    if (net) await net.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('QEMU accepts every command line the builder makes (paused guests)', async () => {
    const manager = newManager();
    const scratch: string[] = [];
    for (let i = 0; i < 3; i++) {
      scratch.push(join(work, `scratch${i}.qcow2`));
      await run('qemu-img', ['create', '-q', '-f', 'qcow2', scratch[i]!, '16M']);
    }
    const [disk, disk1, disk2] = scratch as [string, string, string];
    const iso = join(work, 'scratch.config');
    await buildConfigDrive(iso, { metaData: { uuid: 'x' } });
    const variants: [string, Partial<StartSpec>][] = [
      ['pc virtio + config drive + VNC socket + serial socket', {
        machine: 'pc', disks: [{ path: disk, bus: 'virtio' }], configDrivePath: iso, vnc: { unixSocket: join(work, 'vnc.sock') },
        serialSocketPath: join(work, 'serial.sock'), serialLogPath: join(work, 'serial-a.log'), nics: [{ tap: 'tapvar1', mac: 'fa:16:3e:00:01:01', mtu: 1400 }],
      }],
      ['pc sata + ide + e1000 + VNC TCP', {
        machine: 'pc', disks: [{ path: disk1, bus: 'sata', serial: 'vol1' }, { path: disk2, bus: 'ide', cache: 'none' }],
        vnc: { address: '127.0.0.1', display: 77 }, nics: [{ tap: 'tapvar2', mac: 'fa:16:3e:00:01:02', model: 'e1000' }],
      }],
      ['q35 windows, sata + config drive, 2 vCPUs', {
        machine: 'q35', osType: 'windows', vcpus: 2, disks: [{ path: disk, bus: 'sata' }, { path: disk1, bus: 'virtio', readOnly: true }], configDrivePath: iso,
        nics: [{ tap: 'tapvar3', mac: 'fa:16:3e:00:01:03', model: 'virtio' }],
      }],
    ];
    let n = 0;
    for (const [what, overrides] of variants) {
      n += 1;
      const uuid = `00000000-0000-4000-8000-00000000000${n}`;
      const spec: StartSpec = { name: `variant${n}`, uuid, vcpus: 1, memoryMb: 64, accelerator: 'tcg', disks: [], nics: [], startPaused: true, ...overrides };
      const vm = await manager.start(spec);
      try {
        assert.equal(vm.started, true);
        const status = await manager.queryStatus(uuid);
        assert.equal(status?.status, 'prelaunch', what);
        const blocks = await vm.qmp.execute<{ device: string; qdev?: string }[]>('query-block');
        assert.ok(blocks.length >= (spec.disks.length + (spec.configDrivePath ? 1 : 0)), what);
        for (const nic of spec.nics) assert.ok(await new NetnsHost(net!.netns).link(nic.tap), `${what}: tap ${nic.tap} in the host namespace`);
      } finally {
        assert.equal(await manager.destroy(uuid), 'quit', what);
      }
      for (const nic of spec.nics) assert.equal(await new NetnsHost(net!.netns).link(nic.tap), undefined, `${what}: tap gone`);
    }
    assert.deepEqual(await manager.list(), []);
  });

  it('a guest that ignores the power button is quit after the timeout', async () => {
    const manager = newManager();
    const uuid = '00000000-0000-4000-8000-0000000000aa';
    const vm = await manager.start({ name: 'paused', uuid, vcpus: 1, memoryMb: 64, accelerator: 'tcg', disks: [], nics: [], startPaused: true });
    const t0 = Date.now();
    assert.equal(await manager.stop(uuid, 500), 'quit');
    assert.ok(Date.now() - t0 < 8000);
    assert.equal(pidAlive(vm.pid), false);
    assert.equal(existsSync(manager.pidfilePath(uuid)), false);
    assert.equal(existsSync(manager.qmpSocketPath(uuid)), false);
    assert.equal(await manager.stop(uuid), 'not-running');
  });

  it('boots nimbus-cirros with a config drive; QMP status; re-adoption by a new manager; graceful stop leaves nothing', async () => {
    image = await buildGuestImage({ outDir: join(work, 'images') });
    const uuid = '7e57c0de-0000-4000-8000-000000000001';
    const portId = 'b00710ad-0000-4000-8000-000000000001';
    const tap = `tap${portId.slice(0, 11)}`;
    const mac = 'fa:16:3e:00:93:07';
    const ip = '10.93.0.7';
    await net!.addLease(mac, ip, 'host-10-93-0-7');
    const instanceDir = join(work, 'instances', uuid);
    const disk = join(instanceDir, 'disk');
    const overlay = await createOverlay(image.path, disk, { sizeBytes: 1024 * 1024 * 1024 });
    assert.equal(overlay.backingFile, image.path);
    const configDrive = join(instanceDir, 'disk.config');
    await buildConfigDrive(configDrive, {
      metaData: { uuid, name: 'vm-cd', hostname: 'vm-config-drive', launch_index: 0, availability_zone: 'nova', public_keys: { k1: `${net!.publicKey}\n` } },
      userData: '#!/bin/sh\necho "CONFIG-DRIVE-USERDATA on $(hostname)"\n',
    });
    const serialLog = join(instanceDir, 'console.log');
    const accelerator = (await probeAcceleratorDetailed(8000)).accelerator;
    const spec: StartSpec = {
      name: 'vm-cd', uuid, vcpus: 1, memoryMb: 256, machine: 'pc', accelerator,
      disks: [{ path: disk, format: 'qcow2', bus: 'virtio' }], nics: [{ tap, mac, model: 'virtio', mtu: MTU }],
      serialLogPath: serialLog, configDrivePath: configDrive, vnc: { unixSocket: join(instanceDir, 'vnc.sock') },
    };

    const first = newManager();
    const t0 = Date.now();
    const vm = await first.start(spec);
    assert.equal(vm.started, true);
    await net!.plugTap(tap);
    assert.equal((await first.queryStatus(uuid))?.status, 'running');
    const serial = await waitFor('nimbus-init: ready', () => {
      const text = readText(serialLog);
      return /nimbus-init: ready/.test(text) ? text : undefined;
    }, 80_000, () => `serial:\n${readText(serialLog)}\nqemu log:\n${readText(first.qemuLogPath(uuid))}`);
    console.log(`# boot to ready through the process manager (${accelerator}): ${Date.now() - t0} ms`);
    assert.match(serial, /nimbus-init: metadata ok from config-drive \/dev\/sr0/);
    assert.match(serial, /nimbus-init: hostname vm-config-drive/);
    assert.match(serial, /CONFIG-DRIVE-USERDATA on vm-config-drive/);
    assert.match(serial, new RegExp(`nimbus-init: dhcp ok ${ip.replace(/\./g, '\\.')}`));
    assert.deepEqual(net!.metadataRequests(), [], 'the config drive was used, not the metadata service');

    // An agent restart: the first manager goes away (its QMP connection closes), a new one adopts.
    first.close();
    const second = newManager();
    assert.deepEqual(await second.list(), [uuid]);
    const adopted = await second.adopt(uuid);
    assert.ok(adopted);
    assert.equal(adopted.started, false);
    assert.equal(adopted.pid, vm.pid);
    assert.equal((await second.queryStatus(uuid))?.status, 'running');
    const again = await second.start(spec);
    assert.equal(again.started, false, 'start() of a running guest adopts it');
    assert.equal(again.pid, vm.pid);
    assert.equal((await net!.ssh('cirros', ip, 'hostname')).trim(), 'vm-config-drive');

    const s0 = Date.now();
    assert.equal(await second.stop(uuid, 60_000), 'powered-off');
    console.log(`# graceful stop (ACPI power button → guest poweroff → QEMU exit): ${Date.now() - s0} ms`);
    assert.match(readText(serialLog), /nimbus-init: power button, powering off/);
    assert.equal(pidAlive(vm.pid), false, 'no QEMU process');
    assert.deepEqual(await second.list(), []);
    assert.equal(existsSync(second.pidfilePath(uuid)), false, 'no pidfile');
    assert.equal(existsSync(second.qmpSocketPath(uuid)), false, 'no QMP socket');
    assert.equal(await new NetnsHost(net!.netns).link(tap), undefined, 'no tap');
    assert.deepEqual((await new NetnsHost(net!.netns).links()).map((l) => l.name).filter((n) => n.startsWith('tap')), []);
  });
});

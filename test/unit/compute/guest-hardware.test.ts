// The hardware an image asks for, and the QEMU command line the driver makes of it: a Windows
// image on q35 with UEFI, SATA disk, e1000 NIC, QXL video and the guest agent gets local-time RTC,
// Hyper-V enlightenments, a USB tablet, OVMF with its own NVRAM and the agent's channel; values
// this driver cannot give abort the build as the user's error.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Image } from '../../../src/core/clients/index.js';
import { DEFAULT_HARDWARE, hardwareOf, OVMF_CANDIDATES } from '../../../src/compute/agent/guest-hardware.js';
import { InstanceFiles, type InstanceRecord } from '../../../src/compute/agent/instance-files.js';
import { QemuDriver } from '../../../src/compute/agent/qemu-driver.js';
import { BuildAbortError } from '../../../src/compute/agent/vifs.js';
import { buildQemuArgs } from '../../../src/compute/virt/command-line.js';
import type { InstanceBuild } from '../../../src/compute/rpc/compute-protocol.js';

const UUID = '6a0f4e2c-1d3b-4c5a-9e8f-7b6a5c4d3e2f';
const image = (props: Record<string, string>): Image => ({ id: 'img-1', status: 'active', ...props }) as unknown as Image;
const WINDOWS = {
  os_type: 'windows', hw_machine_type: 'pc-q35-7.2', hw_firmware_type: 'uefi', hw_disk_bus: 'sata', hw_vif_model: 'e1000',
  hw_video_model: 'qxl', hw_qemu_guest_agent: 'yes',
};

/** The value after each occurrence of `flag`. */
function values(args: readonly string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe('guest hardware from image properties', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-hw-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const files = new InstanceFiles(dir);
  const driver = new QemuDriver({ stateDir: dir, files, accelerator: async () => 'tcg' });
  const record = (hardware = DEFAULT_HARDWARE): InstanceRecord => ({
    build: { uuid: UUID, flavor: { vcpus: 2, memory_mb: 2048 } } as unknown as InstanceBuild,
    ports: [{ id: 'p1', mac: 'fa:16:3e:00:00:01', tap: 'tapabcdef01-23', mtu: 1450, created: true }],
    hardware,
  });

  it('reads Nova\'s properties, with the defaults when absent', () => {
    assert.deepEqual(hardwareOf(image({})), DEFAULT_HARDWARE);
    assert.deepEqual(hardwareOf(image(WINDOWS)), {
      machine: 'q35', osType: 'windows', firmware: 'uefi', diskBus: 'sata', nicModel: 'e1000', video: 'qxl', guestAgent: true,
    });
    assert.equal(hardwareOf(image({ hw_machine_type: 'pc-i440fx-7.2' })).machine, 'pc');
    for (const [key, value] of [['hw_disk_bus', 'scsi'], ['hw_vif_model', 'rtl8139'], ['hw_machine_type', 'microvm'], ['hw_firmware_type', 'coreboot'], ['hw_video_model', 'bochs']]) {
      assert.throws(() => hardwareOf(image({ [key!]: value! })), (err: Error) => err instanceof BuildAbortError && err.message.includes(`${key}=${value}`));
    }
  });

  it('gives a Windows image Windows\' hardware on the command line', async () => {
    const { firmware: _uefi, ...bios } = hardwareOf(image(WINDOWS));
    const spec = await driver.specFor(record({ ...bios, firmware: 'bios' }));
    const args = buildQemuArgs({ ...spec, qmpSocketPath: join(dir, 'qmp.sock') });
    assert.deepEqual(values(args, '-machine'), ['q35']);
    assert.ok(values(args, '-rtc').includes('base=localtime,driftfix=slew'), 'local-time RTC');
    assert.match(values(args, '-cpu')[0]!, /hv-relaxed.*hv-vapic.*hv-spinlocks/);
    const devices = values(args, '-device');
    assert.ok(devices.some((d) => d.startsWith('usb-tablet')), 'a USB tablet');
    assert.ok(devices.some((d) => d.startsWith('ide-hd,bus=ide.0,drive=drive-disk0')), 'the root disk on q35\'s SATA');
    assert.ok(devices.some((d) => d.startsWith('e1000,netdev=nic-p1-net,id=nic-p1,')), 'an e1000 NIC, named after its port (hot-unplug finds it by that)');
    assert.ok(devices.some((d) => d.startsWith('qxl-vga')), 'QXL video');
    assert.ok(devices.some((d) => d.includes('name=org.qemu.guest_agent.0')), 'the guest agent channel');
    assert.ok(values(args, '-chardev').some((c) => c.includes(files.guestAgentSocketPath(UUID))));

    const linux = buildQemuArgs({ ...(await driver.specFor(record())), qmpSocketPath: join(dir, 'qmp.sock') });
    assert.deepEqual(values(linux, '-machine'), ['pc']);
    assert.ok(values(linux, '-rtc').includes('base=utc'));
    assert.ok(values(linux, '-device').some((d) => d.startsWith('virtio-blk-pci')));
    assert.ok(!values(linux, '-device').some((d) => d.startsWith('usb-tablet') || d.includes('guest_agent')));
  });

  it('boots UEFI images on OVMF with the guest\'s own NVRAM, or says OVMF is missing', async () => {
    const ovmf = OVMF_CANDIDATES.find((c) => existsSync(c.code) && existsSync(c.vars));
    const uefi = record(hardwareOf(image({ hw_firmware_type: 'uefi' })));
    if (!ovmf) {
      await assert.rejects(driver.specFor(uefi), /OVMF \(Debian package ovmf\) is not installed/);
      return;
    }
    const spec = await driver.specFor(uefi);
    const args = buildQemuArgs({ ...spec, qmpSocketPath: join(dir, 'qmp.sock') });
    const pflash = values(args, '-drive').filter((d) => d.startsWith('if=pflash'));
    assert.equal(pflash.length, 2);
    assert.match(pflash[0]!, new RegExp(`readonly=on,file=${ovmf.code}`));
    assert.match(pflash[1]!, new RegExp(`file=${files.nvramPath(UUID)}`));
    assert.ok(existsSync(files.nvramPath(UUID)), 'the NVRAM copy exists');
  });
});

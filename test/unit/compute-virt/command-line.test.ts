// The QEMU command-line builder: one test per option, and refusal of values that could inject options.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildQemuArgs, qemuEscape, VmSpecError, type VmSpec } from '../../../src/compute/virt/command-line.js';

const UUID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

function base(overrides: Partial<VmSpec> = {}): VmSpec {
  return {
    name: 'vm1', uuid: UUID, vcpus: 1, memoryMb: 256, accelerator: 'tcg', disks: [], nics: [],
    qmpSocketPath: '/run/nimbus/qmp/vm1.sock', ...overrides,
  };
}

/** The value following `flag` each time it occurs. */
function values(args: string[], flag: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => { if (a === flag && args[i + 1] !== undefined) out.push(args[i + 1]!); });
  return out;
}

function has(args: string[], flag: string, value: string): boolean {
  return values(args, flag).includes(value);
}

describe('QEMU command line', () => {
  it('minimal guest: name, uuid, machine, accelerator, cpu, smp, memory, no defaults, QMP socket, rng', () => {
    const args = buildQemuArgs(base());
    assert.deepEqual(values(args, '-name'), ['guest=vm1,debug-threads=on']);
    assert.deepEqual(values(args, '-uuid'), [UUID]);
    assert.deepEqual(values(args, '-machine'), ['pc']);
    assert.deepEqual(values(args, '-accel'), ['tcg']);
    assert.deepEqual(values(args, '-cpu'), ['qemu64']);
    assert.deepEqual(values(args, '-smp'), ['1,sockets=1,cores=1,threads=1']);
    assert.deepEqual(values(args, '-m'), ['256']);
    assert.ok(args.includes('-nodefaults') && args.includes('-no-user-config'));
    assert.deepEqual(values(args, '-display'), ['none']);
    assert.deepEqual(values(args, '-qmp'), ['unix:/run/nimbus/qmp/vm1.sock,server=on,wait=off']);
    assert.deepEqual(values(args, '-rtc'), ['base=utc']);
    assert.ok(has(args, '-device', 'virtio-rng-pci,rng=rng0,id=rng0-dev'));
    assert.ok(!args.includes('-S') && !args.includes('-vnc') && !args.includes('-serial'));
    assert.ok(!values(args, '-device').some((d) => d.startsWith('VGA')));
  });

  it('KVM: cpu host and vhost networking; q35; vcpus and memory', () => {
    const args = buildQemuArgs(base({ accelerator: 'kvm', machine: 'q35', vcpus: 4, memoryMb: 4096, nics: [{ tap: 'tapabc', mac: 'fa:16:3e:00:00:01' }] }));
    assert.deepEqual(values(args, '-machine'), ['q35']);
    assert.deepEqual(values(args, '-accel'), ['kvm']);
    assert.deepEqual(values(args, '-cpu'), ['host']);
    assert.deepEqual(values(args, '-smp'), ['4,sockets=4,cores=1,threads=1']);
    assert.deepEqual(values(args, '-m'), ['4096']);
    assert.deepEqual(values(args, '-netdev'), ['tap,id=net0,ifname=tapabc,script=no,downscript=no,vhost=on']);
  });

  it('cpu model override', () => {
    assert.deepEqual(values(buildQemuArgs(base({ cpuModel: 'Skylake-Client,+avx2' })), '-cpu'), ['Skylake-Client,+avx2']);
    assert.throws(() => buildQemuArgs(base({ cpuModel: 'x -device foo' })), VmSpecError);
  });

  it('disks: virtio, with boot order, format, cache, read-only, serial', () => {
    const args = buildQemuArgs(base({
      disks: [{ path: '/var/lib/nimbus/instances/i1/disk', format: 'qcow2', bus: 'virtio' },
        { path: '/v/data.raw', format: 'raw', cache: 'none', readOnly: true, serial: 'vol-1' }],
    }));
    assert.deepEqual(values(args, '-drive'), [
      'file=/var/lib/nimbus/instances/i1/disk,format=qcow2,if=none,id=drive-disk0,cache=writeback,discard=unmap',
      'file=/v/data.raw,format=raw,if=none,id=drive-disk1,cache=none,discard=unmap,readonly=on',
    ]);
    assert.ok(has(args, '-device', 'virtio-blk-pci,drive=drive-disk0,id=disk0,bootindex=1'));
    assert.ok(has(args, '-device', 'virtio-blk-pci,drive=drive-disk1,id=disk1,serial=vol-1,bootindex=2'));
  });

  it('disks: sata on pc adds an AHCI controller; ide on pc uses the two channels', () => {
    const sata = buildQemuArgs(base({ disks: [{ path: '/d0', bus: 'sata' }, { path: '/d1', bus: 'sata' }] }));
    assert.ok(has(sata, '-device', 'ahci,id=sata0'));
    assert.ok(has(sata, '-device', 'ide-hd,bus=sata0.0,drive=drive-disk0,id=disk0,bootindex=1'));
    assert.ok(has(sata, '-device', 'ide-hd,bus=sata0.1,drive=drive-disk1,id=disk1,bootindex=2'));
    const ide = buildQemuArgs(base({ disks: [{ path: '/d0', bus: 'ide' }, { path: '/d1', bus: 'ide' }, { path: '/d2', bus: 'ide' }] }));
    assert.ok(has(ide, '-device', 'ide-hd,bus=ide.0,unit=0,drive=drive-disk0,id=disk0,bootindex=1'));
    assert.ok(has(ide, '-device', 'ide-hd,bus=ide.0,unit=1,drive=drive-disk1,id=disk1,bootindex=2'));
    assert.ok(has(ide, '-device', 'ide-hd,bus=ide.1,unit=0,drive=drive-disk2,id=disk2,bootindex=3'));
    assert.ok(!values(ide, '-device').includes('ahci,id=sata0'));
  });

  it('disks: q35 puts sata and ide on the built-in AHCI ports', () => {
    const args = buildQemuArgs(base({ machine: 'q35', disks: [{ path: '/d0', bus: 'sata' }, { path: '/d1', bus: 'ide' }] }));
    assert.ok(has(args, '-device', 'ide-hd,bus=ide.0,drive=drive-disk0,id=disk0,bootindex=1'));
    assert.ok(has(args, '-device', 'ide-hd,bus=ide.1,drive=drive-disk1,id=disk1,bootindex=2'));
    assert.ok(!values(args, '-device').includes('ahci,id=sata0'));
    const seven = Array.from({ length: 7 }, (_, i) => ({ path: `/d${i}`, bus: 'sata' as const }));
    assert.throws(() => buildQemuArgs(base({ machine: 'q35', disks: seven })), /6 ports/);
  });

  it('config drive: a read-only CD-ROM after the IDE/SATA disks', () => {
    const pc = buildQemuArgs(base({ disks: [{ path: '/d0' }], configDrivePath: '/i/disk.config' }));
    assert.ok(has(pc, '-drive', 'file=/i/disk.config,format=raw,if=none,id=drive-config,media=cdrom,readonly=on'));
    assert.ok(has(pc, '-device', 'ide-cd,bus=ide.0,unit=0,drive=drive-config,id=config-drive'));
    const q35 = buildQemuArgs(base({ machine: 'q35', disks: [{ path: '/d0', bus: 'sata' }], configDrivePath: '/i/disk.config' }));
    assert.ok(has(q35, '-device', 'ide-cd,bus=ide.1,drive=drive-config,id=config-drive'));
  });

  it('NICs: tap, MAC, virtio with host MTU, e1000', () => {
    const args = buildQemuArgs(base({
      nics: [{ tap: 'tap1234567890a', mac: 'FA:16:3E:AA:BB:CC', model: 'virtio', mtu: 1450 }, { tap: 'tap2', mac: 'fa:16:3e:00:00:02', model: 'e1000', mtu: 1450 }],
    }));
    assert.deepEqual(values(args, '-netdev'), ['tap,id=net0,ifname=tap1234567890a,script=no,downscript=no', 'tap,id=net1,ifname=tap2,script=no,downscript=no']);
    assert.ok(has(args, '-device', 'virtio-net-pci,netdev=net0,id=nic0,mac=fa:16:3e:aa:bb:cc,host_mtu=1450'));
    assert.ok(has(args, '-device', 'e1000,netdev=net1,id=nic1,mac=fa:16:3e:00:00:02'));
    assert.throws(() => buildQemuArgs(base({ nics: [{ tap: 'tap,script=/x', mac: 'fa:16:3e:00:00:01' }] })), VmSpecError);
    assert.throws(() => buildQemuArgs(base({ nics: [{ tap: 'tap-waytoolongname', mac: 'fa:16:3e:00:00:01' }] })), VmSpecError);
    assert.throws(() => buildQemuArgs(base({ nics: [{ tap: 'tap1', mac: 'fa:16:3e:00:00' }] })), VmSpecError);
    assert.throws(() => buildQemuArgs(base({ nics: [{ tap: 'tap1', mac: 'fa:16:3e:00:00:01', model: 'rtl8139' as 'e1000' }] })), VmSpecError);
  });

  it('serial: a log file, or a unix socket that also logs', () => {
    const file = buildQemuArgs(base({ serialLogPath: '/i/console.log' }));
    assert.deepEqual(values(file, '-chardev'), ['file,id=charserial0,path=/i/console.log,append=on']);
    assert.ok(has(file, '-device', 'isa-serial,chardev=charserial0,id=serial0'));
    const sock = buildQemuArgs(base({ serialLogPath: '/i/console.log', serialSocketPath: '/i/serial.sock' }));
    assert.deepEqual(values(sock, '-chardev'), ['socket,id=charserial0,path=/i/serial.sock,server=on,wait=off,logfile=/i/console.log,logappend=on']);
  });

  it('VNC: address and display (IPv4, IPv6) or a unix socket; adds a VGA device', () => {
    const v4 = buildQemuArgs(base({ vnc: { address: '127.0.0.1', display: 5 } }));
    assert.deepEqual(values(v4, '-vnc'), ['127.0.0.1:5']);
    assert.ok(has(v4, '-device', 'VGA,id=video0'));
    assert.deepEqual(values(buildQemuArgs(base({ vnc: { address: '::1', display: 0 } })), '-vnc'), ['[::1]:0']);
    assert.deepEqual(values(buildQemuArgs(base({ vnc: { address: '0.0.0.0', display: 1 } })), '-vnc'), ['0.0.0.0:1']);
    assert.deepEqual(values(buildQemuArgs(base({ vnc: { unixSocket: '/run/nimbus/vnc/vm1.sock' } })), '-vnc'), ['unix:/run/nimbus/vnc/vm1.sock']);
    assert.throws(() => buildQemuArgs(base({ vnc: { address: 'example.com', display: 1 } })), VmSpecError);
    assert.throws(() => buildQemuArgs(base({ vnc: { address: '127.0.0.1', display: -1 } })), VmSpecError);
  });

  it('firmware: BIOS by default, UEFI with OVMF code (read-only) and the NVRAM copy', () => {
    assert.deepEqual(values(buildQemuArgs(base()), '-drive'), []);
    const args = buildQemuArgs(base({ firmware: { type: 'uefi', code: '/usr/share/OVMF/OVMF_CODE_4M.fd', nvram: '/i/nvram.fd' } }));
    assert.deepEqual(values(args, '-drive'), [
      'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
      'if=pflash,format=raw,unit=1,file=/i/nvram.fd',
    ]);
    assert.throws(() => buildQemuArgs(base({ firmware: { type: 'uefi', code: 'relative.fd', nvram: '/i/n' } })), VmSpecError);
  });

  it('Windows: local-time RTC, no HPET, Hyper-V enlightenments (more under KVM), USB tablet, VGA', () => {
    const tcg = buildQemuArgs(base({ osType: 'windows' }));
    assert.deepEqual(values(tcg, '-rtc'), ['base=localtime,driftfix=slew']);
    assert.ok(tcg.includes('-no-hpet'));
    assert.deepEqual(values(tcg, '-cpu'), ['qemu64,hv-relaxed,hv-vapic,hv-spinlocks=0x1fff']);
    assert.ok(has(tcg, '-device', 'qemu-xhci,id=usb'));
    assert.ok(has(tcg, '-device', 'usb-tablet,id=input0,bus=usb.0'));
    assert.ok(has(tcg, '-device', 'VGA,id=video0'));
    assert.ok(!tcg.includes('-global'));
    const kvm = buildQemuArgs(base({ osType: 'windows', accelerator: 'kvm' }));
    assert.match(values(kvm, '-cpu')[0]!, /^host,hv-relaxed,hv-vapic,hv-spinlocks=0x1fff,hv-vpindex,hv-runtime,hv-time,hv-synic,hv-stimer/);
    assert.ok(has(kvm, '-global', 'kvm-pit.lost_tick_policy=delay'));
  });

  it('pidfile, paused start, rng off', () => {
    const args = buildQemuArgs(base({ pidfile: '/run/q.pid', startPaused: true, rng: false }));
    assert.deepEqual(values(args, '-pidfile'), ['/run/q.pid']);
    assert.ok(args.includes('-S'));
    assert.ok(!args.includes('-object'));
  });

  it('commas in paths are doubled (QEMU escaping), so a path cannot add options', () => {
    assert.equal(qemuEscape('/a,b,,c'), '/a,,b,,,,c');
    const args = buildQemuArgs(base({ disks: [{ path: '/x,file=/etc/shadow' }], qmpSocketPath: '/q,server=off' }));
    assert.ok(has(args, '-drive', 'file=/x,,file=/etc/shadow,format=qcow2,if=none,id=drive-disk0,cache=writeback,discard=unmap'));
    assert.deepEqual(values(args, '-qmp'), ['unix:/q,,server=off,server=on,wait=off']);
  });

  it('refuses bad names, uuids, sizes, enums and paths', () => {
    const bad: Partial<VmSpec>[] = [
      { name: 'vm 1' }, { name: '-vm' }, { name: '' }, { uuid: 'not-a-uuid' }, { vcpus: 0 }, { vcpus: 1.5 }, { memoryMb: 8 },
      { machine: 'virt' as 'pc' }, { accelerator: 'hvf' as 'tcg' }, { osType: 'bsd' as 'linux' },
      { qmpSocketPath: 'relative.sock' }, { serialLogPath: '/a\nb' }, { disks: [{ path: '/d', bus: 'scsi' as 'ide' }] },
      { disks: [{ path: '/d', format: 'vmdk' as 'raw' }] }, { disks: [{ path: '/d', serial: 'a,b' }] },
      { disks: [{ path: '/d', cache: 'bogus' as 'none' }] }, { disks: [{ path: '/d', bus: 'sata', readOnly: true }] }, { nics: [{ tap: 'tap1', mac: 'fa:16:3e:00:00:01', mtu: 10 }] },
    ];
    for (const overrides of bad) assert.throws(() => buildQemuArgs(base(overrides)), VmSpecError, JSON.stringify(overrides));
    const five = Array.from({ length: 5 }, (_, i) => ({ path: `/d${i}`, bus: 'ide' as const }));
    assert.throws(() => buildQemuArgs(base({ disks: five })), /2 channels/);
  });
});

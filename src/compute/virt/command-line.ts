// The QEMU command line of a guest, built from a typed spec (pure: no I/O). Every value that ends
// up inside a QEMU option string is validated, and commas in paths are doubled (QEMU's escaping),
// so a spec can never inject another option. The process is started in the foreground (hostnet
// Daemons supervises it), the monitor is QMP on a unix socket, there are no default devices.
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { assertIfName } from '../../hostnet/names.js';
import { assertMac } from '../../hostnet/values.js';
import type { Accelerator } from './kvm.js';

export const QEMU_BINARY = 'qemu-system-x86_64';

export type MachineType = 'pc' | 'q35';
export type DiskBus = 'virtio' | 'sata' | 'ide';
export type NicModel = 'virtio' | 'e1000';
export type VideoModel = 'vga' | 'virtio' | 'cirrus' | 'qxl' | 'none';

export interface DiskSpec {
  path: string;
  format?: 'qcow2' | 'raw';
  bus?: DiskBus;
  readOnly?: boolean;
  /** QEMU cache mode; default writeback (qcow2 overlays on a local filesystem). */
  cache?: 'none' | 'writeback' | 'writethrough' | 'directsync' | 'unsafe';
  /** Serial number the guest sees (Nova passes the volume id). */
  serial?: string;
}

export interface NicSpec {
  /** The tap QEMU creates in its namespace (tap<port-id[:11]>); the L2 agent plugs it into the bridge. */
  tap: string;
  mac: string;
  model?: NicModel;
  /** MTU advertised to a virtio guest (host_mtu). */
  mtu?: number;
  /** The NIC's device id (QMP device_del names it); default nic<index>. Its netdev is <id>-net. */
  id?: string;
}

export type VncSpec = { address: string; display: number } | { unixSocket: string };

export type FirmwareSpec =
  | { type: 'bios' }
  /** OVMF: read-only code (e.g. /usr/share/OVMF/OVMF_CODE_4M.fd) and the guest's own writable NVRAM copy. */
  | { type: 'uefi'; code: string; nvram: string };

export interface VmSpec {
  name: string;
  uuid: string;
  vcpus: number;
  memoryMb: number;
  machine?: MachineType;
  accelerator: Accelerator;
  /** -cpu model; default host under KVM, qemu64 under TCG. */
  cpuModel?: string;
  disks: DiskSpec[];
  nics: NicSpec[];
  /** Console output file (what `openstack console log show` reads). */
  serialLogPath?: string;
  /** Also serve the serial port on this unix socket (interactive console), logging to serialLogPath. */
  serialSocketPath?: string;
  qmpSocketPath: string;
  vnc?: VncSpec;
  /** A config drive ISO (config-2), attached as a read-only CD-ROM. */
  configDrivePath?: string;
  firmware?: FirmwareSpec;
  osType?: 'linux' | 'windows';
  pidfile?: string;
  /** virtio-rng fed from /dev/urandom (default true): the guest's entropy without waiting. */
  rng?: boolean;
  /** Start with the CPUs stopped (-S); QMP `cont` starts them. */
  startPaused?: boolean;
  /** Wait for a saved state (-incoming defer): QMP `migrate-incoming` then loads it (resume). */
  incomingDeferred?: boolean;
  /** The display adapter; default a VGA when there is VNC (or Windows), else none. */
  video?: VideoModel;
  /** The QEMU guest agent's channel (virtio-serial org.qemu.guest_agent.0) on this host socket. */
  guestAgentSocketPath?: string;
}

export class VmSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VmSpecError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const CPU_MODEL = /^[A-Za-z0-9][A-Za-z0-9_.+=-]*(,[A-Za-z0-9_.+=-]+)*$/;
const SERIAL = /^[A-Za-z0-9_.-]{1,20}$/;

/** QEMU option values: a "," is written ",,". */
export function qemuEscape(value: string): string {
  return value.replace(/,/g, ',,');
}

function path(kind: string, value: unknown): string {
  if (typeof value !== 'string' || !isAbsolute(value) || /[\0\n\r]/.test(value) || value.length > 4096) {
    throw new VmSpecError(`${kind}: expected an absolute path without control characters, got ${JSON.stringify(value)}`);
  }
  return value;
}

function int(kind: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new VmSpecError(`${kind}: expected an integer ${min}-${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function oneOf<T extends string>(kind: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new VmSpecError(`${kind}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof VmSpecError) throw error;
    throw new VmSpecError((error as Error).message);
  }
}

/** Where the IDE/SATA devices (disks on those buses, then the config drive) go. */
class StorageSlots {
  private next = 0;
  private ahciAdded = false;
  constructor(private readonly machine: MachineType, private readonly args: string[]) {}

  /** The -device bus properties for the next IDE/SATA unit. */
  take(bus: 'sata' | 'ide'): string {
    const n = this.next++;
    if (this.machine === 'q35') {
      // q35's ICH9 AHCI controller has 6 ports, ide.0 … ide.5 (there is no legacy IDE).
      if (n > 5) throw new VmSpecError('too many SATA/IDE devices for q35 (6 ports)');
      return `bus=ide.${n}`;
    }
    if (bus === 'ide') {
      if (n > 3) throw new VmSpecError('too many IDE devices for pc (2 channels x 2 units)');
      return `bus=ide.${Math.floor(n / 2)},unit=${n % 2}`;
    }
    if (!this.ahciAdded) {
      this.args.push('-device', 'ahci,id=sata0');
      this.ahciAdded = true;
    }
    if (n > 5) throw new VmSpecError('too many SATA devices (6 ports)');
    return `bus=sata0.${n}`;
  }
}

/** The argv (without the binary, see QEMU_BINARY) that starts the guest described by `spec`. */
export function buildQemuArgs(spec: VmSpec): string[] {
  if (typeof spec.name !== 'string' || !NAME.test(spec.name)) throw new VmSpecError(`name: expected letters, digits, "_", "." or "-" (1-63), got ${JSON.stringify(spec.name)}`);
  if (typeof spec.uuid !== 'string' || !UUID.test(spec.uuid)) throw new VmSpecError(`uuid: expected a UUID, got ${JSON.stringify(spec.uuid)}`);
  const vcpus = int('vcpus', spec.vcpus, 1, 255);
  const memoryMb = int('memoryMb', spec.memoryMb, 16, 4 * 1024 * 1024);
  const machine = oneOf('machine', spec.machine ?? 'pc', ['pc', 'q35'] as const);
  const accelerator = oneOf('accelerator', spec.accelerator, ['kvm', 'tcg'] as const);
  const osType = oneOf('osType', spec.osType ?? 'linux', ['linux', 'windows'] as const);
  const windows = osType === 'windows';

  const args: string[] = [
    '-name', `guest=${spec.name},debug-threads=on`,
    '-uuid', spec.uuid.toLowerCase(),
    '-machine', machine,
    '-accel', accelerator,
  ];

  let cpu = spec.cpuModel ?? (accelerator === 'kvm' ? 'host' : 'qemu64');
  if (!CPU_MODEL.test(cpu)) throw new VmSpecError(`cpuModel: invalid ${JSON.stringify(cpu)}`);
  if (windows) {
    // Hyper-V enlightenments (what libvirt/Nova give Windows guests); the timer/synic ones need KVM.
    const hv = ['hv-relaxed', 'hv-vapic', 'hv-spinlocks=0x1fff'];
    if (accelerator === 'kvm') hv.push('hv-vpindex', 'hv-runtime', 'hv-time', 'hv-synic', 'hv-stimer', 'hv-reset', 'hv-frequencies');
    cpu = `${cpu},${hv.join(',')}`;
  }
  args.push('-cpu', cpu);
  args.push('-smp', `${vcpus},sockets=${vcpus},cores=1,threads=1`, '-m', String(memoryMb));
  args.push('-nodefaults', '-no-user-config', '-display', 'none', '-msg', 'timestamp=on');
  if (spec.startPaused) args.push('-S');
  if (spec.incomingDeferred) args.push('-incoming', 'defer');
  if (spec.pidfile !== undefined) args.push('-pidfile', path('pidfile', spec.pidfile));

  const firmware = spec.firmware ?? { type: 'bios' as const };
  if (firmware.type === 'uefi') {
    args.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${qemuEscape(path('firmware.code', firmware.code))}`);
    args.push('-drive', `if=pflash,format=raw,unit=1,file=${qemuEscape(path('firmware.nvram', firmware.nvram))}`);
  } else if (firmware.type !== 'bios') {
    throw new VmSpecError(`firmware: expected bios or uefi, got ${JSON.stringify((firmware as { type: unknown }).type)}`);
  }

  if (windows) {
    args.push('-rtc', 'base=localtime,driftfix=slew', '-no-hpet');
    if (accelerator === 'kvm') args.push('-global', 'kvm-pit.lost_tick_policy=delay');
  } else {
    args.push('-rtc', 'base=utc');
  }

  args.push('-qmp', `unix:${qemuEscape(path('qmpSocketPath', spec.qmpSocketPath))},server=on,wait=off`);

  if (spec.serialSocketPath !== undefined) {
    const log = spec.serialLogPath === undefined ? '' : `,logfile=${qemuEscape(path('serialLogPath', spec.serialLogPath))},logappend=on`;
    args.push('-chardev', `socket,id=charserial0,path=${qemuEscape(path('serialSocketPath', spec.serialSocketPath))},server=on,wait=off${log}`);
    args.push('-device', 'isa-serial,chardev=charserial0,id=serial0');
  } else if (spec.serialLogPath !== undefined) {
    args.push('-chardev', `file,id=charserial0,path=${qemuEscape(path('serialLogPath', spec.serialLogPath))},append=on`);
    args.push('-device', 'isa-serial,chardev=charserial0,id=serial0');
  }

  const video = spec.video === undefined ? (spec.vnc !== undefined || windows ? 'vga' : 'none') : oneOf('video', spec.video, ['vga', 'virtio', 'cirrus', 'qxl', 'none'] as const);
  const VIDEO_DEVICES = { vga: 'VGA', virtio: 'virtio-vga', cirrus: 'cirrus-vga', qxl: 'qxl-vga' } as const;
  if (video !== 'none') args.push('-device', `${VIDEO_DEVICES[video]},id=video0`);
  if (spec.guestAgentSocketPath !== undefined) {
    args.push('-chardev', `socket,id=charga0,path=${qemuEscape(path('guestAgentSocketPath', spec.guestAgentSocketPath))},server=on,wait=off`);
    args.push('-device', 'virtio-serial-pci,id=virtio-serial0', '-device', 'virtserialport,bus=virtio-serial0.0,chardev=charga0,id=channel0,name=org.qemu.guest_agent.0');
  }
  if (spec.vnc !== undefined) {
    const vnc = spec.vnc;
    if ('unixSocket' in vnc) {
      args.push('-vnc', `unix:${qemuEscape(path('vnc.unixSocket', vnc.unixSocket))}`);
    } else {
      const address = wrap(() => vnc.address === '0.0.0.0' || vnc.address === '::' ? vnc.address : assertIpLiteral(vnc.address));
      const display = int('vnc.display', vnc.display, 0, 59535);
      args.push('-vnc', `${address.includes(':') ? `[${address}]` : address}:${display}`);
    }
  }
  if (windows) args.push('-device', 'qemu-xhci,id=usb', '-device', 'usb-tablet,id=input0,bus=usb.0');

  const slots = new StorageSlots(machine, args);
  if (!Array.isArray(spec.disks)) throw new VmSpecError('disks: expected an array');
  spec.disks.forEach((disk, i) => {
    const format = oneOf(`disks[${i}].format`, disk.format ?? 'qcow2', ['qcow2', 'raw'] as const);
    const bus = oneOf(`disks[${i}].bus`, disk.bus ?? 'virtio', ['virtio', 'sata', 'ide'] as const);
    const cache = oneOf(`disks[${i}].cache`, disk.cache ?? 'writeback', ['none', 'writeback', 'writethrough', 'directsync', 'unsafe'] as const);
    const drive = [`file=${qemuEscape(path(`disks[${i}].path`, disk.path))}`, `format=${format}`, 'if=none', `id=drive-disk${i}`, `cache=${cache}`, 'discard=unmap'];
    if (disk.readOnly) {
      if (bus !== 'virtio') throw new VmSpecError(`disks[${i}]: a read-only disk needs the virtio bus (QEMU's ide-hd cannot be read-only)`);
      drive.push('readonly=on');
    }
    args.push('-drive', drive.join(','));
    const serial = disk.serial === undefined ? '' : `,serial=${SERIAL.test(disk.serial) ? disk.serial : invalid(`disks[${i}].serial`, disk.serial)}`;
    const boot = `,bootindex=${i + 1}`;
    if (bus === 'virtio') args.push('-device', `virtio-blk-pci,drive=drive-disk${i},id=disk${i}${serial}${boot}`);
    else args.push('-device', `ide-hd,${slots.take(bus)},drive=drive-disk${i},id=disk${i}${serial}${boot}`);
  });
  if (spec.configDrivePath !== undefined) {
    args.push('-drive', `file=${qemuEscape(path('configDrivePath', spec.configDrivePath))},format=raw,if=none,id=drive-config,media=cdrom,readonly=on`);
    args.push('-device', `ide-cd,${slots.take('ide')},drive=drive-config,id=config-drive`);
  }

  if (!Array.isArray(spec.nics)) throw new VmSpecError('nics: expected an array');
  spec.nics.forEach((nic, i) => {
    const { netdev, device } = nicOptions(nic, i, accelerator);
    args.push('-netdev', optionString(netdev), '-device', optionString(device));
  });

  if (spec.rng ?? true) args.push('-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng-pci,rng=rng0,id=rng0-dev');
  return args;
}

function invalid(kind: string, value: unknown): never {
  throw new VmSpecError(`${kind}: invalid value ${JSON.stringify(value)}`);
}

function assertIpLiteral(address: string): string {
  if (typeof address !== 'string' || !/^[0-9A-Fa-f:.]+$/.test(address) || isIP(address) === 0) {
    throw new VmSpecError(`vnc.address: expected an IP address, got ${JSON.stringify(address)}`);
  }
  return address;
}

const DEVICE_ID = /^[A-Za-z][A-Za-z0-9_.-]{0,40}$/;
type Options = Readonly<Record<string, string | number | boolean>>;

/**
 * A NIC's -netdev and -device options as key/value pairs, in order (the first value is the
 * netdev's type / the device's driver): the command line renders them, and a hot-plug sends the
 * same pairs as QMP netdev_add / device_add, so a plugged NIC is the one a boot would give.
 */
export function nicOptions(nic: NicSpec, index: number, accelerator: Accelerator): { netdev: Options; device: Options } {
  const tap = wrap(() => assertIfName(nic.tap));
  const mac = wrap(() => assertMac(nic.mac));
  const model = oneOf(`nics[${index}].model`, nic.model ?? 'virtio', ['virtio', 'e1000'] as const);
  const id = nic.id === undefined ? `nic${index}` : DEVICE_ID.test(nic.id) ? nic.id : invalid(`nics[${index}].id`, nic.id);
  const netdevId = nic.id === undefined ? `net${index}` : `${id}-net`;
  const virtio = model === 'virtio';
  const netdev: Options = { type: 'tap', id: netdevId, ifname: tap, script: 'no', downscript: 'no', ...(virtio && accelerator === 'kvm' ? { vhost: true } : {}) };
  const device: Options = {
    driver: virtio ? 'virtio-net-pci' : 'e1000', netdev: netdevId, id, mac,
    ...(nic.mtu === undefined || !virtio ? {} : { host_mtu: int(`nics[${index}].mtu`, nic.mtu, 68, 65535) }),
  };
  return { netdev, device };
}

/** `type,key=value,…` (booleans as on/off) from option pairs whose first value names the kind. */
function optionString(options: Options): string {
  return Object.values(options).slice(0, 1).concat(Object.entries(options).slice(1)
    .map(([k, v]) => `${k}=${typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)}`)).join(',');
}

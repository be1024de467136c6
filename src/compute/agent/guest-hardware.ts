// The virtual hardware an image asks for (Nova's libvirt image properties), decided once when the
// guest's disk is made from the image and kept in build.json for every later start:
//   os_type=windows         local-time RTC, Hyper-V enlightenments, a USB tablet (command-line.ts)
//   hw_machine_type         pc (i440fx) or q35 (also their versioned names, pc-q35-7.2 …)
//   hw_firmware_type=uefi   OVMF (Debian's ovmf), with the guest's own persistent NVRAM copy
//   hw_disk_bus             virtio, sata or ide
//   hw_vif_model            virtio or e1000
//   hw_video_model          vga, virtio, cirrus, qxl or none
//   hw_qemu_guest_agent     a virtio-serial channel org.qemu.guest_agent.0 on a host socket
// A value this driver cannot give is the user's error (the build aborts, no reschedule).
import { imageProperties, type Image } from '../../core/clients/index.js';
import type { DiskBus, MachineType, NicModel, VideoModel } from '../virt/command-line.js';
import { BuildAbortError } from './vifs.js';

export interface GuestHardware {
  readonly machine: MachineType;
  readonly osType: 'linux' | 'windows';
  readonly firmware: 'bios' | 'uefi';
  readonly diskBus: DiskBus;
  readonly nicModel: NicModel;
  /** undefined: the driver's default (a VGA with VNC). */
  readonly video?: VideoModel;
  readonly guestAgent: boolean;
}

export const DEFAULT_HARDWARE: GuestHardware = { machine: 'pc', osType: 'linux', firmware: 'bios', diskBus: 'virtio', nicModel: 'virtio', guestAgent: false };

function choice<T extends string>(image: Image, key: string, value: string, allowed: readonly T[]): T {
  const v = value.toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new BuildAbortError(`Image ${image.id} property ${key}=${value} is not supported here (supported: ${allowed.join(', ')}).`);
}

/** oslo's bool_from_string as Nova reads hw_qemu_guest_agent. */
function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|t|true|on|y|yes)$/i.test(value.trim());
}

export function hardwareOf(image: Image): GuestHardware {
  const p = imageProperties(image);
  let machine: MachineType = 'pc';
  if (p.hw_machine_type !== undefined) {
    const m = p.hw_machine_type.toLowerCase();
    if (m === 'q35' || m.startsWith('pc-q35')) machine = 'q35';
    else if (m === 'pc' || m.startsWith('pc-i440fx')) machine = 'pc';
    else throw new BuildAbortError(`Image ${image.id} property hw_machine_type=${p.hw_machine_type} is not supported here (pc, q35).`);
  }
  const osType = p.os_type?.toLowerCase() === 'windows' ? 'windows' : 'linux';
  return {
    machine, osType,
    firmware: p.hw_firmware_type === undefined ? 'bios' : choice(image, 'hw_firmware_type', p.hw_firmware_type, ['bios', 'uefi'] as const),
    diskBus: p.hw_disk_bus === undefined ? 'virtio' : choice(image, 'hw_disk_bus', p.hw_disk_bus, ['virtio', 'sata', 'ide'] as const),
    nicModel: p.hw_vif_model === undefined ? 'virtio' : choice(image, 'hw_vif_model', p.hw_vif_model, ['virtio', 'e1000'] as const),
    ...(p.hw_video_model === undefined ? {} : { video: choice(image, 'hw_video_model', p.hw_video_model, ['vga', 'virtio', 'cirrus', 'qxl', 'none'] as const) }),
    guestAgent: truthy(p.hw_qemu_guest_agent),
  };
}

/** Debian's OVMF: the 4 MiB build first (bookworm's default), then the old 2 MiB one. */
export const OVMF_CANDIDATES: readonly { code: string; vars: string }[] = [
  { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
  { code: '/usr/share/OVMF/OVMF_CODE.fd', vars: '/usr/share/OVMF/OVMF_VARS.fd' },
];

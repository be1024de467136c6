// A raw disk with a partition table: a legacy MBR, or a GPT behind its protective MBR. Glance
// calls both "gpt"; it is raw data to QEMU, so the virtual size is the file size. A FAT boot
// sector looks like an MBR but is a filesystem, and an MBR with impossible entries is just data:
// both stay "raw".
import { hasBytes, matched, need, NO } from './byte-view.js';
import type { Probe } from './probe.js';

const SECTOR = 512;
const ENTRIES_AT = 446;
const PROTECTIVE = 0xee;
const FIXED_DISK_MEDIA = 0xf8;
const GPT_SIGNATURE = Buffer.from('EFI PART', 'latin1');

function looksLikeFat(mbr: Buffer): boolean {
  return mbr[0x10] === 2 && mbr[0x15] === FIXED_DISK_MEDIA;
}

function partitionTypes(mbr: Buffer): number[] | undefined {
  const types: number[] = [];
  for (let i = 0; i < 4; i++) {
    const at = ENTRIES_AT + 16 * i;
    const boot = mbr[at]!;
    if (boot !== 0x00 && boot !== 0x80) return undefined;
    const type = mbr[at + 4]!;
    if (type !== 0) types.push(type);
  }
  return types;
}

export const partitionTableProbe: Probe = {
  format: 'gpt',
  run(view) {
    const mbr = view.read(0, SECTOR);
    if (!mbr) return need(0, SECTOR);
    if (mbr.length < SECTOR || mbr[510] !== 0x55 || mbr[511] !== 0xaa || looksLikeFat(mbr)) return NO;
    const types = partitionTypes(mbr);
    if (!types || types.length === 0) return NO;
    if (types.includes(PROTECTIVE)) {
      // The GPT header follows in LBA 1: at 512 bytes, or 4096 on 4Kn disks.
      const lba1 = view.read(SECTOR, 8);
      const lba1Of4k = view.read(4096, 8);
      if (!lba1 || !lba1Of4k) return need(SECTOR, 4096 - SECTOR + 8);
      if (!hasBytes(lba1, 0, GPT_SIGNATURE) && !hasBytes(lba1Of4k, 0, GPT_SIGNATURE)) return NO;
    }
    return matched(view.size ?? null);
  },
};

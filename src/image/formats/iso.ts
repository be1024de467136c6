// ISO 9660 / UDF: after a 32 KiB system area (which may hold an MBR: a "hybrid" ISO), 2 KiB volume
// descriptors: "CD001" at byte 1 of each (0x8001 for the first). The primary one (type 1) gives
// the size: logical blocks (LE u32 at 80) × block size (LE u16 at 128). UDF-only discs carry
// "BEA01"/"NSR02"/"NSR03" instead; their size is the file's.
import { matched, need, NO } from './byte-view.js';
import type { Probe } from './probe.js';

const SYSTEM_AREA = 32 * 1024;
const DESCRIPTOR = 2048;
const MAX_DESCRIPTORS = 16;
const ISO9660 = 'CD001';
const UDF = new Set(['BEA01', 'NSR02', 'NSR03', 'TEA01']);
const PRIMARY = 1;
const TERMINATOR = 255;

export const isoProbe: Probe = {
  format: 'iso',
  run(view) {
    const area = view.read(SYSTEM_AREA, DESCRIPTOR * MAX_DESCRIPTORS);
    if (!area) return need(SYSTEM_AREA, DESCRIPTOR * MAX_DESCRIPTORS);
    let recognised = false;
    for (let at = 0; at + DESCRIPTOR <= area.length; at += DESCRIPTOR) {
      const id = area.toString('latin1', at + 1, at + 6);
      if (id !== ISO9660 && !UDF.has(id)) break;
      recognised = true;
      const type = area[at]!;
      if (id === ISO9660 && type === PRIMARY) {
        const blocks = area.readUInt32LE(at + 80);
        const blockSize = area.readUInt16LE(at + 128);
        if (blockSize === 0) return matched(null, ['iso logical block size is zero']);
        return matched(blocks * blockSize);
      }
      if (id === ISO9660 && type === TERMINATOR) break;
    }
    // UDF (or 9660 without a primary descriptor): as big as the data itself.
    return recognised ? matched(view.size ?? null) : NO;
  },
};

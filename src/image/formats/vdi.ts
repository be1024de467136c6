// VirtualBox VDI: a little-endian 512-byte header; the disk size sits at 0x170. Undo and
// differencing images refer to a parent image: refused.
import { matched, need, NO, u64 } from './byte-view.js';
import type { Probe } from './probe.js';

const SIGNATURE = 0xbeda107f;
const TYPE_UNDO = 3;
const TYPE_DIFF = 4;

export const vdiProbe: Probe = {
  format: 'vdi',
  run(view) {
    const header = view.read(0, 512);
    if (!header) return need(0, 512);
    if (header.length < 0x44 || header.readUInt32LE(0x40) !== SIGNATURE) return NO;
    if (header.length < 0x178) return matched(null, ['vdi header is truncated']);
    const problems: string[] = [];
    const type = header.readUInt32LE(0x4c);
    if (type === TYPE_UNDO || type === TYPE_DIFF) problems.push('vdi is a differencing image (has a parent)');
    const virtualSize = u64(header, 0x170, 'le');
    if (virtualSize === null) problems.push('vdi disk size is out of range');
    return matched(virtualSize, problems);
  },
};

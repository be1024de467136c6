// qcow2 (QEMU): a big-endian header at offset 0. Version 3 adds feature bitmaps; an image that
// names a backing file or an external data file makes QEMU open another host file: refused.
import { hasBytes, matched, need, NO, u64, type ProbeResult } from './byte-view.js';
import type { Probe } from './probe.js';

const MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]); // "QFI\xfb"
const V2_HEADER = 72;
const V3_HEADER = 104;
const INCOMPATIBLE_DATA_FILE = 1n << 2n;
/** Bits 0–4 are the incompatible features QEMU knows (dirty, corrupt, data file, compression, extended L2). */
const KNOWN_INCOMPATIBLE = (1n << 5n) - 1n;

function inspectHeader(header: Buffer): ProbeResult {
  if (header.length < V2_HEADER) return matched(null, ['qcow2 header is truncated']);
  const version = header.readUInt32BE(4);
  if (version !== 2 && version !== 3) return matched(null, [`qcow2 version ${version} is not supported`]);
  const problems: string[] = [];
  if (header.readBigUInt64BE(8) !== 0n) problems.push('qcow2 has a backing file');
  const virtualSize = u64(header, 24, 'be');
  if (virtualSize === null) problems.push('qcow2 virtual size is out of range');
  if (version === 3) {
    if (header.length < V3_HEADER) {
      problems.push('qcow2 header is truncated');
    } else {
      const incompatible = header.readBigUInt64BE(72);
      if (incompatible & INCOMPATIBLE_DATA_FILE) problems.push('qcow2 has an external data file');
      if (incompatible & ~KNOWN_INCOMPATIBLE) problems.push('qcow2 has unknown incompatible features');
    }
  }
  return matched(virtualSize, problems);
}

export const qcow2Probe: Probe = {
  format: 'qcow2',
  run(view) {
    const header = view.read(0, 512);
    if (!header) return need(0, 512);
    return hasBytes(header, 0, MAGIC) ? inspectHeader(header) : NO;
  },
};

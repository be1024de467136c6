// VHD (QEMU's "vpc"): a big-endian 512-byte footer, "conectix", at the end of the file; dynamic
// and differencing disks also keep a copy at offset 0. The size the guest sees is the footer's
// current size (offset 48). A differencing disk names a parent file: refused.
import { hasBytes, matched, need, NEED_END, NO, u64, type ProbeResult } from './byte-view.js';
import type { Probe } from './probe.js';

export const VHD_FOOTER_BYTES = 512;
const COOKIE = Buffer.from('conectix', 'latin1');
const TYPE_DIFFERENCING = 4;

function inspectFooter(footer: Buffer): ProbeResult {
  if (footer.length < 64) return matched(null, ['vhd footer is truncated']);
  const problems: string[] = [];
  if (footer.readUInt32BE(60) === TYPE_DIFFERENCING) problems.push('vhd is a differencing disk (has a parent)');
  const virtualSize = u64(footer, 48, 'be');
  if (virtualSize === null) problems.push('vhd size is out of range');
  return matched(virtualSize, problems);
}

export const vhdProbe: Probe = {
  format: 'vhd',
  run(view) {
    const head = view.read(0, VHD_FOOTER_BYTES);
    if (!head) return need(0, VHD_FOOTER_BYTES);
    if (hasBytes(head, 0, COOKIE)) return inspectFooter(head);
    // A fixed disk has its only footer at the end: wait for it.
    if (view.size === undefined) return NEED_END;
    if (view.size < VHD_FOOTER_BYTES) return NO;
    const footer = view.read(view.size - VHD_FOOTER_BYTES, VHD_FOOTER_BYTES) ?? Buffer.alloc(0);
    return hasBytes(footer, 0, COOKIE) ? inspectFooter(footer) : NO;
  },
};

// QED: a QEMU format nobody ships images in any more. Detected only to be refused, as Glance does,
// since its header can name a backing file and no boot path here needs it.
import { hasBytes, matched, need, NO } from './byte-view.js';
import type { Probe } from './probe.js';

const MAGIC = Buffer.from('QED\0', 'latin1');

export const qedProbe: Probe = {
  format: 'unknown',
  run(view) {
    const header = view.read(0, 4);
    if (!header) return need(0, 4);
    return hasBytes(header, 0, MAGIC) ? matched(null, ['qed images are not allowed']) : NO;
  },
};

// One format's detector: a name and a pure function of the bytes (see byte-view.ts).
import type { ByteView, ProbeResult } from './byte-view.js';
import type { DetectedFormat } from './inspection.js';

export interface Probe {
  readonly format: DetectedFormat;
  run(view: ByteView): ProbeResult;
}

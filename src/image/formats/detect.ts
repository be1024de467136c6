// Runs every probe over the same bytes and settles on one answer, as Glance's InspectWrapper does:
// nothing recognised is raw; a partition table inside another format (a hybrid ISO, a fixed VHD of
// a partitioned disk) belongs to that format; two real formats at once is a disguise: refused.
import type { ByteSpan, ByteView, ProbeResult } from './byte-view.js';
import type { DetectedFormat, FormatInspection } from './inspection.js';
import { isoProbe } from './iso.js';
import { partitionTableProbe } from './partition-table.js';
import type { Probe } from './probe.js';
import { qcow2Probe } from './qcow2.js';
import { qedProbe } from './qed.js';
import { vdiProbe } from './vdi.js';
import { vhdProbe } from './vhd.js';
import { vhdxProbe } from './vhdx.js';
import { vmdkSparseProbe, vmdkTextProbe } from './vmdk.js';

export const PROBES: readonly Probe[] = [
  qcow2Probe, qedProbe, vmdkSparseProbe, vmdkTextProbe, vhdProbe, vhdxProbe, vdiProbe, isoProbe, partitionTableProbe,
];

/** The formats whose virtual size is simply the number of bytes. */
const SIZE_IS_LENGTH = new Set<DetectedFormat>(['raw', 'gpt', 'unknown']);

export type Detection =
  | { readonly done: false; readonly spans: readonly ByteSpan[] }
  | { readonly done: true; readonly inspection: FormatInspection };

interface Match { readonly format: DetectedFormat; readonly virtualSize: number | null; readonly problems: readonly string[] }

function runProbe(probe: Probe, view: ByteView): ProbeResult {
  try {
    return probe.run(view);
  } catch (err) {
    // A probe bug must not let unknown bytes through as raw: refuse, naming the format.
    return { kind: 'match', virtualSize: null, problems: [`${probe.format} inspection failed: ${(err as Error).message}`] };
  }
}

function settle(matches: readonly Match[], size: number): FormatInspection {
  const specific = matches.length > 1 ? matches.filter((m) => m.format !== 'gpt') : matches;
  if (specific.length > 1) {
    const names = [...new Set(specific.map((m) => m.format))].join(', ');
    return { format: 'unknown', virtualSize: size, safetyProblems: [`multiple formats detected: ${names}`] };
  }
  const found = specific[0] ?? { format: 'raw', virtualSize: size, problems: [] };
  const virtualSize = SIZE_IS_LENGTH.has(found.format) ? size : found.virtualSize;
  return { format: found.format, virtualSize, safetyProblems: [...found.problems] };
}

/**
 * Needs: the byte spans still missing (empty when only the end of the data is awaited). Once the
 * view's size is known every probe decides, so the answer is always `done` then.
 */
export function detect(view: ByteView): Detection {
  const spans: ByteSpan[] = [];
  let waiting = false;
  const matches: Match[] = [];
  for (const probe of PROBES) {
    const result = runProbe(probe, view);
    if (result.kind === 'need') {
      waiting = true;
      spans.push(...result.spans);
    } else if (result.kind === 'match') {
      matches.push({ format: probe.format, virtualSize: result.virtualSize, problems: result.problems });
    }
  }
  if (waiting || view.size === undefined) return { done: false, spans };
  return { done: true, inspection: settle(matches, view.size) };
}

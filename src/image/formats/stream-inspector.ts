// Inspects an image while it streams past, keeping only what the probes ask for: the first
// 256 KiB (every format's header, the VHDX region table, ISO descriptors), regions the probes
// point at further on (a VMDK descriptor, VHDX metadata), and the last 512 bytes (a fixed VHD's
// footer). Memory stays bounded whatever the image's size.
import type { ByteSpan, ByteView } from './byte-view.js';
import { CaptureRegion } from './capture-region.js';
import { detect } from './detect.js';
import type { FormatInspection } from './inspection.js';
import { VHD_FOOTER_BYTES } from './vhd.js';

export const HEAD_BYTES = 256 * 1024;
const MAX_REGION = 1024 * 1024;
const MAX_REGIONS = 16;

export class StreamInspector {
  private readonly head = new CaptureRegion(0, HEAD_BYTES);
  private readonly regions: CaptureRegion[] = [];
  private tail = Buffer.alloc(0);
  private position = 0;
  private result: FormatInspection | undefined;

  /** Feeds the next chunk of the stream. */
  push(chunk: Buffer): void {
    if (this.result) throw new Error('inspector already finished');
    if (chunk.length === 0) return;
    const at = this.position;
    this.position += chunk.length;
    this.keepTail(chunk);
    const headWasComplete = this.head.complete;
    this.head.capture(chunk, at);
    let completed = !headWasComplete && this.head.complete;
    for (const region of this.regions) {
      const was = region.complete;
      region.capture(chunk, at);
      completed ||= !was && region.complete;
    }
    // Probes only learn something new when the head or a region has just filled.
    if (completed) this.followNeeds(chunk, at);
  }

  /** The answer, once the stream has ended. */
  finish(): FormatInspection {
    this.result ??= this.finalDetection();
    return this.result;
  }

  /** Bytes held in memory, for tests that check the inspector stays small. */
  get retainedBytes(): number {
    return this.head.length + this.tail.length + this.regions.reduce((n, r) => n + r.length, 0);
  }

  private keepTail(chunk: Buffer): void {
    // Copy, never keep a view: a view would pin the whole (possibly pooled) chunk in memory.
    const joined = chunk.length >= VHD_FOOTER_BYTES ? chunk.subarray(chunk.length - VHD_FOOTER_BYTES) : Buffer.concat([this.tail, chunk]);
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - VHD_FOOTER_BYTES)));
  }

  /** Registers regions for spans the probes now want, filling them from what is still at hand. */
  private followNeeds(chunk: Buffer, at: number): void {
    for (let round = 0; round < MAX_REGIONS; round++) {
      const detection = detect(this.view(undefined));
      if (detection.done) return;
      const fresh = detection.spans.filter((s) => !this.covered(s));
      if (fresh.length === 0) return;
      let filledAny = false;
      for (const span of fresh) {
        if (this.regions.length >= MAX_REGIONS) return;
        const region = new CaptureRegion(span.offset, Math.min(span.length, MAX_REGION));
        for (const source of [this.head, ...this.regions]) region.capture(source.data.subarray(0, source.filled), source.offset, false);
        region.capture(chunk, at);
        this.regions.push(region);
        filledAny ||= region.complete;
      }
      if (!filledAny) return;
    }
  }

  /** True when the head or a region already covers (or will cover) the span. */
  private covered(span: ByteSpan): boolean {
    const end = span.offset + Math.min(span.length, MAX_REGION);
    if (end <= HEAD_BYTES) return true;
    return this.regions.some((r) => r.offset <= span.offset && end <= r.offset + r.length);
  }

  private finalDetection(): FormatInspection {
    const detection = detect(this.view(this.position));
    // With the size known every probe decides; this is only a guard.
    if (!detection.done) return { format: 'unknown', virtualSize: this.position, safetyProblems: ['format inspection did not finish'] };
    return detection.inspection;
  }

  private view(size: number | undefined): ByteView {
    const sources = [this.head, ...this.regions];
    const tail = this.tail;
    return {
      size,
      read(offset, length) {
        const end = size === undefined ? offset + length : Math.min(offset + length, size);
        if (end <= offset) return size === undefined ? undefined : Buffer.alloc(0);
        for (const source of sources) {
          const bytes = source.slice(offset, end - offset);
          if (bytes) return bytes;
        }
        if (size === undefined) return undefined;
        const tailStart = size - tail.length;
        if (offset >= tailStart) return tail.subarray(offset - tailStart, end - tailStart);
        return Buffer.alloc(0);
      },
    };
  }
}

// Inspects an image file on disk (a staged upload, or a stored image) with the same probes as the
// stream inspector, reading only the spans they ask for.
import { open } from 'node:fs/promises';
import type { ByteView } from './byte-view.js';
import { detect } from './detect.js';
import type { FormatInspection } from './inspection.js';
import { HEAD_BYTES } from './stream-inspector.js';

const MAX_SPAN = 1024 * 1024;
const MAX_ROUNDS = 16;

interface Cached { readonly offset: number; readonly bytes: Buffer }

function viewOf(cache: readonly Cached[], size: number, final: boolean): ByteView {
  return {
    size,
    read(offset, length) {
      const end = Math.min(offset + length, size);
      if (end <= offset) return Buffer.alloc(0);
      for (const c of cache) {
        if (c.offset <= offset && end <= c.offset + c.bytes.length) return c.bytes.subarray(offset - c.offset, end - c.offset);
      }
      return final ? Buffer.alloc(0) : undefined;
    },
  };
}

export async function inspectFile(path: string): Promise<FormatInspection> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const readSpan = async (offset: number, length: number): Promise<Cached> => {
      const wanted = Math.max(0, Math.min(length, MAX_SPAN, size - offset));
      const bytes = Buffer.alloc(wanted);
      const { bytesRead } = wanted > 0 ? await file.read(bytes, 0, wanted, offset) : { bytesRead: 0 };
      return { offset, bytes: bytes.subarray(0, bytesRead) };
    };
    // The same head the stream inspector keeps, then whatever the probes point at.
    const cache: Cached[] = [await readSpan(0, HEAD_BYTES)];
    if (size > HEAD_BYTES) cache.push(await readSpan(size - 512, 512));
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const detection = detect(viewOf(cache, size, false));
      if (detection.done) return detection.inspection;
      for (const span of detection.spans) cache.push(await readSpan(span.offset, span.length));
    }
    const last = detect(viewOf(cache, size, true));
    return last.done ? last.inspection : { format: 'unknown', virtualSize: size, safetyProblems: ['format inspection did not finish'] };
  } finally {
    await file.close();
  }
}

// What a format probe sees of an image: ranges of bytes by offset, available now, later (while
// streaming) or never. Probes are pure functions of this view, so the streaming inspector and the
// file inspector run the same code and cannot disagree about what the bytes mean.

export interface ByteView {
  /**
   * Bytes [offset, offset + length), shorter when the data ends first, or undefined when they
   * are not available yet (the probe then asks for them with `need`). At the end of a stream a
   * read never returns undefined: bytes that never came read as an empty buffer.
   */
  read(offset: number, length: number): Buffer | undefined;
  /** Total byte count, known only at the end of a stream (always, for a file). */
  readonly size: number | undefined;
}

export interface ByteSpan {
  readonly offset: number;
  readonly length: number;
}

export type ProbeResult =
  | { readonly kind: 'no' }
  /** More bytes are needed; no spans means "the end of the data" (its size and last bytes). */
  | { readonly kind: 'need'; readonly spans: readonly ByteSpan[] }
  | { readonly kind: 'match'; readonly virtualSize: number | null; readonly problems: readonly string[] };

export const NO: ProbeResult = { kind: 'no' };
export const NEED_END: ProbeResult = { kind: 'need', spans: [] };

export function need(offset: number, length: number): ProbeResult {
  return { kind: 'need', spans: [{ offset, length }] };
}

export function matched(virtualSize: number | null, problems: readonly string[] = []): ProbeResult {
  return { kind: 'match', virtualSize, problems };
}

/** An unsigned 64-bit field as a number, or null past 2^53 (no real disk is that big). */
export function u64(buf: Buffer, offset: number, endian: 'le' | 'be'): number | null {
  if (offset + 8 > buf.length) return null;
  const value = endian === 'le' ? buf.readBigUInt64LE(offset) : buf.readBigUInt64BE(offset);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

/** True when buf holds `magic` at `offset`. */
export function hasBytes(buf: Buffer, offset: number, magic: Buffer): boolean {
  return buf.length >= offset + magic.length && buf.subarray(offset, offset + magic.length).equals(magic);
}

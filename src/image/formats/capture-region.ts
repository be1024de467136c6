// A span of a stream that an inspector wants to keep, filled from chunks as they pass. Chunks
// must arrive in order and contiguously; a region whose start has already gone by is "lost".
export class CaptureRegion {
  readonly data: Buffer;
  filled = 0;
  lost = false;

  constructor(readonly offset: number, readonly length: number) {
    this.data = Buffer.alloc(length);
  }

  get complete(): boolean {
    return this.filled === this.length;
  }

  /**
   * Takes what it needs from `chunk`, which starts at stream offset `at`; true if anything was
   * taken. A live chunk that starts past the next byte wanted means that byte went by unseen;
   * other sources (bytes kept elsewhere) just may not help.
   */
  capture(chunk: Buffer, at: number, live = true): boolean {
    if (this.complete || this.lost) return false;
    const next = this.offset + this.filled;
    const end = at + chunk.length;
    if (end <= next) return false;
    if (at > next) {
      if (live) this.lost = true;
      return false;
    }
    const take = Math.min(end, this.offset + this.length) - next;
    chunk.copy(this.data, this.filled, next - at, next - at + take);
    this.filled += take;
    return true;
  }

  /** The bytes [offset, offset + length) if this region holds them all. */
  slice(offset: number, length: number): Buffer | undefined {
    if (offset < this.offset || offset + length > this.offset + this.filled) return undefined;
    return this.data.subarray(offset - this.offset, offset - this.offset + length);
  }
}

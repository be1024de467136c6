// The contract between the image API and the bytes behind it. The API owns image records and their
// state machine; a store owns files: it streams uploads into a temporary file while hashing and
// inspecting them, and makes them visible (renames into place) only when complete and verified.
import type { Readable } from 'node:stream';
import type { FormatInspection } from '../formats/inspection.js';

export interface ReceivedData {
  readonly size: number;
  /** MD5 hex digest: Glance's legacy `checksum`. */
  readonly checksum: string;
  readonly osHashAlgo: 'sha512';
  readonly osHashValue: string;
  /** What the bytes really are (qcow2, raw, vmdk, vhd, vhdx, iso, …) and their virtual size. */
  readonly inspection: FormatInspection;
}

/** A finished upload not yet visible: commit() renames it into place, discard() removes it. */
export interface PendingData extends ReceivedData {
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export type DataArea = 'images' | 'staging';

export interface ReceiveOptions {
  /** Refuse (and delete) an upload longer than this: quota or image size cap. */
  readonly maxBytes: number;
  /** When the client declared a size (Content-Length, or the image's `size`), it must match. */
  readonly expectedSize?: number;
}

export interface ByteRange { readonly start: number; readonly end: number }

export interface ImageDataStore {
  /** Creates directories and removes temporary files left by a crash. */
  open(): Promise<void>;
  /** Streams the body to a temporary file; rejects (leaving nothing behind) on error, abort or limits. */
  receive(area: DataArea, imageId: string, body: Readable, options: ReceiveOptions): Promise<PendingData>;
  /** Moves staged data into the images area (glance-direct import). */
  promote(imageId: string): Promise<void>;
  exists(area: DataArea, imageId: string): Promise<boolean>;
  size(area: DataArea, imageId: string): Promise<number | undefined>;
  /** A read stream of the stored image, or of a byte range of it (inclusive end, as HTTP Range). */
  read(imageId: string, range?: ByteRange): Readable;
  /** Path of the staged data, for inspection before import. */
  stagedPath(imageId: string): string;
  delete(area: DataArea, imageId: string): Promise<void>;
  /** Bytes stored per image id (for quota checks and sweeping orphans). */
  list(area: DataArea): Promise<Map<string, number>>;
}

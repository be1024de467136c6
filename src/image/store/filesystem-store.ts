// ImageDataStore on a local filesystem (see store-layout.ts for the directories). An upload
// streams through UploadTap into a FileSink in tmp/, and becomes visible only when the API
// commits it: one rename(2), then an fsync of the directory. Memory stays flat at any size.
import { createReadStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileSink } from './file-sink.js';
import type { ByteRange, DataArea, ImageDataStore, PendingData, ReceiveOptions } from './image-data-store.js';
import { isImageId } from './image-id.js';
import { ImageStoreError } from './store-errors.js';
import { StoreLayout, syncDirectory } from './store-layout.js';
import { UploadTap } from './upload-tap.js';
import { watchBody } from './watch-body.js';

/** Downloads read in large blocks: fewer syscalls and event-loop turns per GiB. */
export const READ_HIGH_WATER_MARK = 1024 * 1024;

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

function checkRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new ImageStoreError('invalid-range', `Invalid byte range ${String(start)}-${String(end)}`);
  }
}

function checkOptions(options: ReceiveOptions): void {
  const { maxBytes, expectedSize } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new Error('maxBytes must be a non-negative integer');
  if (expectedSize === undefined) return;
  if (!Number.isSafeInteger(expectedSize) || expectedSize < 0) throw new Error('expectedSize must be a non-negative integer');
  if (expectedSize > maxBytes) throw new ImageStoreError('too-large', `Image data exceeds the limit of ${maxBytes} bytes`);
}

export class FilesystemImageStore implements ImageDataStore {
  private readonly layout: StoreLayout;

  /** `root` is `<dataDir>/images`. */
  constructor(root: string) {
    this.layout = new StoreLayout(root);
  }

  async open(): Promise<void> {
    await this.layout.create();
    await this.layout.sweepTemporary();
  }

  /**
   * On a limit error the body is unpiped but left alone, so the API can still answer (413, 400);
   * it should close the connection rather than read the rest.
   */
  async receive(area: DataArea, imageId: string, body: Readable, options: ReceiveOptions): Promise<PendingData> {
    const finalPath = this.layout.dataPath(area, imageId);
    checkOptions(options);
    const tempPath = this.layout.tempPath(imageId);
    const tap = new UploadTap(options);
    const unwatch = watchBody(body, tap);
    try {
      body.pipe(tap);
      await pipeline(tap, new FileSink(tempPath));
    } catch (err) {
      body.unpipe(tap);
      await rm(tempPath, { force: true });
      throw err;
    } finally {
      unwatch();
    }
    return this.pending(tap, tempPath, finalPath);
  }

  private pending(tap: UploadTap, tempPath: string, finalPath: string): PendingData {
    let state: 'pending' | 'committed' | 'discarded' = 'pending';
    return {
      ...tap.result(),
      commit: async () => {
        if (state !== 'pending') throw new ImageStoreError('not-found', `Upload already ${state}`);
        await rename(tempPath, finalPath);
        state = 'committed';
        await syncDirectory(dirname(finalPath));
      },
      discard: async () => {
        if (state !== 'pending') return;
        state = 'discarded';
        await rm(tempPath, { force: true });
      },
    };
  }

  async promote(imageId: string): Promise<void> {
    const from = this.layout.dataPath('staging', imageId);
    const to = this.layout.dataPath('images', imageId);
    try {
      await rename(from, to);
    } catch (err) {
      if (isMissing(err)) throw new ImageStoreError('not-found', `No staged data for image ${imageId}`, { cause: err });
      throw err;
    }
    await syncDirectory(this.layout.areaDir('images'));
    await syncDirectory(this.layout.areaDir('staging'));
  }

  async exists(area: DataArea, imageId: string): Promise<boolean> {
    return (await this.size(area, imageId)) !== undefined;
  }

  async size(area: DataArea, imageId: string): Promise<number | undefined> {
    try {
      const info = await stat(this.layout.dataPath(area, imageId));
      return info.isFile() ? info.size : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  read(imageId: string, range?: ByteRange): Readable {
    const path = this.layout.dataPath('images', imageId);
    if (range) checkRange(range);
    return createReadStream(path, { highWaterMark: READ_HIGH_WATER_MARK, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  stagedPath(imageId: string): string {
    return this.layout.dataPath('staging', imageId);
  }

  async delete(area: DataArea, imageId: string): Promise<void> {
    await rm(this.layout.dataPath(area, imageId), { force: true });
  }

  async list(area: DataArea): Promise<Map<string, number>> {
    const dir = this.layout.areaDir(area);
    const sizes = new Map<string, number>();
    for (const name of await readdir(dir)) {
      if (!isImageId(name)) continue;
      const size = await this.size(area, name);
      if (size !== undefined) sizes.set(name, size);
    }
    return sizes;
  }
}

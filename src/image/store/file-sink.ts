// A write stream into a new file that is fsynced before it reports finished, and removed if it is
// destroyed before that: an upload's temporary file is either complete and durable, or gone.
// Every SYNC_EVERY bytes it starts an fdatasync in the background, so the disk writes back while
// data still arrives instead of all at once in the final fsync (which otherwise costs as much
// as the whole page-cache copy).
import { open, rm, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/** Chunks queued while a write is in flight go out together in one writev. */
const HIGH_WATER_MARK = 1024 * 1024;
const SYNC_EVERY = 64 * 1024 * 1024;

export class FileSink extends Writable {
  private handle: FileHandle | undefined;
  private durable = false;
  private unsynced = 0;
  private syncing: Promise<void> | undefined;
  private syncError: Error | undefined;

  constructor(readonly path: string) {
    super({ highWaterMark: HIGH_WATER_MARK });
  }

  override _construct(callback: (error?: Error | null) => void): void {
    // 'wx': never write into a file someone else made (a racing upload picks another name).
    open(this.path, 'wx', 0o640).then((handle) => { this.handle = handle; callback(); }, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.settleSync()
      .then(() => this.handle!.sync())
      .then(() => { this.durable = true; callback(); }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = undefined;
    const close = this.settleSync().catch(() => undefined).then(() => handle?.close());
    close
      .then(() => (this.durable ? undefined : rm(this.path, { force: true })))
      .then(() => callback(error), (closeError: Error) => callback(error ?? closeError));
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    if (this.syncError) throw this.syncError;
    let pending = buffers;
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle!.writev(pending);
      pending = dropWritten(pending, bytesWritten);
      this.unsynced += bytesWritten;
    }
    if (this.unsynced >= SYNC_EVERY && !this.syncing) this.startSync();
  }

  /** One background fdatasync at a time; its failure fails the next write or the end. */
  private startSync(): void {
    this.unsynced = 0;
    this.syncing = this.handle!.datasync().then(
      () => { this.syncing = undefined; },
      (err: Error) => { this.syncing = undefined; this.syncError = err; },
    );
  }

  private async settleSync(): Promise<void> {
    await this.syncing;
    if (this.syncError) throw this.syncError;
  }
}

/** What is left of `buffers` after a (possibly short) write of `written` bytes. */
function dropWritten(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  const rest: Buffer[] = [];
  for (const buf of buffers) {
    if (skip >= buf.length) { skip -= buf.length; continue; }
    rest.push(skip > 0 ? buf.subarray(skip) : buf);
    skip = 0;
  }
  return rest;
}

// The pass-through every uploaded chunk crosses on its way to disk: counts it, enforces the size
// limits as soon as they are crossed, feeds MD5 and SHA-512 (on worker threads), and shows it to
// the format inspector.
import { Transform, type TransformCallback } from 'node:stream';
import { StreamInspector } from '../formats/stream-inspector.js';
import type { ReceiveOptions, ReceivedData } from './image-data-store.js';
import { ParallelDigest } from './parallel-digest.js';
import { ImageStoreError } from './store-errors.js';

export class UploadTap extends Transform {
  private readonly digest = new ParallelDigest();
  private readonly inspector = new StreamInspector();
  private received = 0;
  private summary: ReceivedData | undefined;

  constructor(private readonly options: ReceiveOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    const { maxBytes, expectedSize } = this.options;
    if (this.received > maxBytes) {
      callback(new ImageStoreError('too-large', `Image data exceeds the limit of ${maxBytes} bytes`));
      return;
    }
    if (expectedSize !== undefined && this.received > expectedSize) {
      callback(new ImageStoreError('size-mismatch', `Image data is longer than the declared ${expectedSize} bytes`));
      return;
    }
    this.inspector.push(chunk);
    const wait = this.digest.update(chunk);
    if (wait) wait.then(() => callback(null, chunk), callback);
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { expectedSize } = this.options;
    if (expectedSize !== undefined && this.received !== expectedSize) {
      callback(new ImageStoreError('size-mismatch', `Image data is ${this.received} bytes, ${expectedSize} were declared`));
      return;
    }
    this.digest.digest().then((digests) => {
      this.summary = {
        size: this.received,
        checksum: digests.md5,
        osHashAlgo: 'sha512',
        osHashValue: digests.sha512,
        inspection: this.inspector.finish(),
      };
      callback();
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.summary) this.digest.cancel();
    callback(error);
  }

  /** The figures of a completed upload (after the pipeline finished). */
  result(): ReceivedData {
    if (!this.summary) throw new Error('upload not finished');
    return this.summary;
  }
}

// Turns a client that goes away mid-upload into an 'aborted' error on the upload pipeline.
// Readable.pipe() forwards data and end, but not errors or a close before the end.
import type { Readable, Writable } from 'node:stream';
import { ImageStoreError } from './store-errors.js';

/** Watches `body` until the returned function is called. */
export function watchBody(body: Readable, target: Writable): () => void {
  const abort = (cause?: unknown): void => {
    if (!target.destroyed) target.destroy(new ImageStoreError('aborted', 'The upload was interrupted before its end', { cause }));
  };
  const onError = (err: Error): void => abort(err);
  const onClose = (): void => { if (!body.readableEnded) abort(); };
  const onAborted = (): void => abort();
  if (body.destroyed && !body.readableEnded) queueMicrotask(() => abort());
  body.on('error', onError);
  body.on('close', onClose);
  body.on('aborted', onAborted);
  return () => {
    body.off('error', onError);
    body.off('close', onClose);
    body.off('aborted', onAborted);
  };
}

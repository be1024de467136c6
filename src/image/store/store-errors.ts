// Why the store refused: typed so the image API can answer with Glance's status for each
// (too large → 413, size mismatch → 400, aborted → nothing to answer, …) without parsing messages.

export type ImageStoreErrorReason =
  /** Not a UUID: refused before it could become part of a path. */
  | 'invalid-id'
  /** The upload went past ReceiveOptions.maxBytes (quota or size cap). */
  | 'too-large'
  /** The upload's length differs from ReceiveOptions.expectedSize. */
  | 'size-mismatch'
  /** The body stream failed or closed before its end (client went away). */
  | 'aborted'
  /** A byte range that is not start ≤ end, both non-negative integers. */
  | 'invalid-range'
  /** The data asked for is not there (promote without staged data, commit after discard). */
  | 'not-found';

export class ImageStoreError extends Error {
  constructor(readonly reason: ImageStoreErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageStoreError';
  }
}

export function isImageStoreError(err: unknown, reason?: ImageStoreErrorReason): err is ImageStoreError {
  return err instanceof ImageStoreError && (reason === undefined || err.reason === reason);
}

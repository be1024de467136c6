import { isApiError } from '../../src/core/errors.js';

/** The HTTP status a parse/validate call stands for: its ApiError's status, or 200 when it returns. */
export function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (isApiError(err)) return err.status;
    throw err;
  }
  return 200;
}

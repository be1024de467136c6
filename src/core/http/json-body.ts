// How every Nimbus API reads a JSON (or JSON-Patch) body: empty means no body, NUL is refused
// (no OpenStack attribute may hold it and PostgreSQL cannot store it), bad JSON is a 400.
import { ApiError } from '../errors.js';

export function parseJsonBody(body: string | Buffer): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') return undefined;
  if (text.includes('\\u0000')) throw new ApiError(400, 'Invalid input: the request body contains a NUL character.');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'Malformed request body: the request body is not valid JSON.');
  }
}

/** A Fastify content-type parser around parseJsonBody. */
export function jsonBodyParser(_request: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void): void {
  let value: unknown;
  try {
    value = parseJsonBody(body);
  } catch (err) {
    done(err as Error, undefined);
    return;
  }
  done(null, value);
}

// Request pieces of the data routes: the raw upload stream, its declared length, and Range.
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.js';
import type { RangeRequest } from '../domain/image-download.js';
import type { DataUpload } from '../domain/image-upload.js';

export const OCTET_STREAM = 'application/octet-stream';

/** Image bytes must be sent as application/octet-stream (Glance answers 415 otherwise). */
export function uploadOf(request: FastifyRequest): DataUpload {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== OCTET_STREAM) {
    throw new ApiError(415, `Invalid content type ${type || 'None'}`, 'UnsupportedMediaType');
  }
  const declared = request.headers['content-length'];
  const chunked = /chunked/i.test(String(request.headers['transfer-encoding'] ?? ''));
  const length = !chunked && declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
  // The octet-stream parser hands over the raw request stream; an empty body has none.
  const body = request.body instanceof Readable ? request.body : Readable.from([]);
  return { body, ...(length !== undefined ? { length } : {}) };
}

/** `Range: bytes=first-last | first- | -suffix`; anything else (or several ranges) is a 416. */
export function rangeOf(request: FastifyRequest): RangeRequest | undefined {
  const header = request.headers.range;
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  const invalid = () => new ApiError(416, header.includes(',') ? 'Multiple ranges are not supported' : 'Invalid Range header', 'RangeNotSatisfiable');
  if (m === null || (m[1] === '' && m[2] === '')) throw invalid();
  const first = m[1] === '' ? undefined : Number(m[1]);
  const last = m[2] === '' ? undefined : Number(m[2]);
  if ((first !== undefined && !Number.isSafeInteger(first)) || (last !== undefined && !Number.isSafeInteger(last))) throw invalid();
  if (first === undefined) return { suffix: last! };
  if (last !== undefined && last < first) throw invalid();
  return last === undefined ? { first } : { first, last };
}

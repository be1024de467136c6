// Placement's error body (the API-WG errors guideline):
//   {"errors": [{"status": 404, "title": "Not Found", "detail": "...", "code": "placement.…",
//                "request_id": "req-…"}]}
// The renderer knows only the error; the request-dependent parts (request_id, `code` only from
// microversion 1.23, min/max_version on a 406 for an unusable version) are completed per request
// by completeFault(), which the service calls from its onSend hook.
import type { ApiError } from '../../core/errors.js';
import { httpTitle, type FaultRenderer } from '../../core/faults.js';
import { CODES } from '../domain/errors.js';
import { atLeast, formatVersion, MAX_VERSION, MIN_VERSION, type Version } from '../domain/microversion.js';

export const placementFault: FaultRenderer = (err: ApiError) => ({
  errors: [{
    status: err.status,
    title: httpTitle(err.status),
    detail: err.message,
    code: err.kind.startsWith('placement.') ? err.kind : CODES.DEFAULT,
  }],
});

interface FaultEntry { status?: unknown; code?: unknown; [key: string]: unknown }

/**
 * Fills in one request's view of a rendered fault: `version` is the negotiated microversion,
 * undefined when negotiation never happened or failed.
 */
export function completeFault(body: unknown, requestId: string, version: Version | undefined): unknown {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { errors?: unknown }).errors)) return body;
  const errors = ((body as { errors: FaultEntry[] }).errors).map((e) => {
    const out: FaultEntry = { status: e.status, title: e['title'], detail: e['detail'] };
    if (version !== undefined && atLeast(version, '1.23')) out.code = e.code ?? CODES.DEFAULT;
    out['request_id'] = requestId;
    if (e.status === 406 && version === undefined) {
      out['max_version'] = formatVersion(MAX_VERSION);
      out['min_version'] = formatVersion(MIN_VERSION);
    }
    return out;
  });
  return { errors };
}

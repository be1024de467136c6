// Each OpenStack service has its own fault body; one renderer per service, chosen at server build.
import type { ApiError } from './errors.js';

export type FaultRenderer = (err: ApiError) => unknown;

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 410: 'Gone', 412: 'Precondition Failed', 413: 'Request Entity Too Large',
  415: 'Unsupported Media Type', 416: 'Requested Range Not Satisfiable', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
};

export function httpTitle(status: number): string {
  return TITLES[status] ?? 'Error';
}

/** Keystone: {"error": {"code", "title", "message"}}. */
export const keystoneFault: FaultRenderer = (err) => ({
  error: { code: err.status, title: httpTitle(err.status), message: err.message },
});

const NOVA_KEYS: Readonly<Record<number, string>> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod',
  406: 'notAcceptable', 409: 'conflictingRequest', 413: 'overLimit', 415: 'badMediaType', 429: 'overLimit',
  501: 'notImplemented', 503: 'serviceUnavailable',
};

/** Nova: {"itemNotFound": {"code": 404, "message": "..."}}. */
export const novaFault: FaultRenderer = (err) => ({
  [NOVA_KEYS[err.status] ?? 'computeFault']: { code: err.status, message: err.message },
});

/** Neutron: {"NeutronError": {"type", "message", "detail"}}. */
export const neutronFault: FaultRenderer = (err) => ({
  NeutronError: { type: err.kind, message: err.message, detail: '' },
});

/**
 * Glance answers errors as webob does for `Accept: application/json`:
 * {"code": "404 Not Found", "title": "Not Found", "message": "..."} (code is the status line).
 */
export const glanceFault: FaultRenderer = (err) => ({
  code: `${err.status} ${httpTitle(err.status)}`,
  title: httpTitle(err.status),
  message: err.message,
});

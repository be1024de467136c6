// Nova's fault bodies (nova/api/openstack/wsgi.py Fault): {"<name>": {"code": N, "message": "..."}}
// with the name from Nova's own table; statuses missing from it (406, 500, ...) are
// "computeFault", exactly as Nova renders them. A 401 never reaches Nova: keystonemiddleware
// answers it in Keystone's format, so that is what clients see here too.
import type { ApiError } from '../../core/errors.js';
import { httpTitle, type FaultRenderer } from '../../core/faults.js';

const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export function faultName(status: number): string {
  return FAULT_NAMES[status] ?? 'computeFault';
}

export const computeFault: FaultRenderer = (err: ApiError) => {
  if (err.status === 401) return { error: { code: 401, title: httpTitle(401), message: err.message } };
  return { [faultName(err.status)]: { code: err.status, message: err.message } };
};

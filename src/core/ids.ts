import { randomUUID } from 'node:crypto';

/** Keystone-style id: a UUID4 as 32 hex characters. */
export function newHexId(): string {
  return randomUUID().replace(/-/g, '');
}

/** Neutron/Nova-style id: a dashed UUID4. */
export function newUuid(): string {
  return randomUUID();
}

export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

/** A dashed lower-case UUID, as Nova and Neutron write ids (bus arguments, file names). */
export const DASHED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

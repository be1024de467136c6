// oslo.utils' is_uuid_like and Python's str(uuid.UUID(x)): placement accepts a UUID with or
// without dashes, in any case, with braces or a urn:uuid: prefix, and stores it dashed and lower.

function hexOf(value: string): string | undefined {
  let s = value.toLowerCase();
  if (s.startsWith('urn:')) s = s.slice(4);
  if (s.startsWith('uuid:')) s = s.slice(5);
  s = s.replace(/^\{/, '').replace(/\}$/, '').replaceAll('-', '');
  return /^[0-9a-f]{32}$/.test(s) ? s : undefined;
}

export function isUuidLike(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 64 && hexOf(value) !== undefined;
}

/** The canonical dashed lower-case form; the caller has checked isUuidLike. */
export function normalizeUuid(value: string): string {
  const h = hexOf(value);
  if (h === undefined) return value;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

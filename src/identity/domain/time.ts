/** Keystone's timestamp format: 2026-11-22T14:51:52.000000Z. */
export function keystoneTime(ms: number | Date): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000Z`;
}

export function isoNow(): string {
  return new Date().toISOString();
}

// The instance password the guest posts (encrypted with its key) to /openstack/<v>/password, kept
// as Nova keeps it (nova.api.metadata.password): in the instance's system metadata, split into
// password_0 … password_3 of at most 255 characters each.

export const PASSWORD_MAX_SIZE = 256;
const CHUNKS = 4;
const CHUNK_LENGTH = 255;

/** password.extract_password: the chunks joined in key order ('' when none). */
export function extractPassword(systemMetadata: Record<string, unknown>): string {
  return Object.keys(systemMetadata).filter((k) => k.startsWith('password_')).sort()
    .map((k) => { const v = systemMetadata[k]; return typeof v === 'string' ? v : ''; }).join('');
}

/** password.convert_password: the system-metadata entries holding `password` ('' clears it). */
export function passwordEntries(password: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (let i = 0; i < CHUNKS; i++) entries[`password_${i}`] = password.slice(i * CHUNK_LENGTH, (i + 1) * CHUNK_LENGTH);
  return entries;
}

export function parseSystemMetadata(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

// Secrets a data directory keeps once generated (mode 0600): the admin password, the metadata
// proxy's shared secret. Every process of one installation reads the same file.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** The secret in <dataDir>/<name>, created with 18 random bytes (base64url) when missing. */
export function persistentSecret(dataDir: string, name: string): string {
  const path = join(dataDir, name);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(18).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

// Account lockout (Keystone's security_compliance.lockout_*): after N failed password logins a
// user cannot log in, even with the right password, until the lock duration has passed.
import type { Kysely } from 'kysely';
import type { SecurityComplianceConfig } from '../../core/config.js';
import type { IdentityDb, UserRow } from '../db/schema.js';

export function isLockedOut(user: UserRow, cfg: SecurityComplianceConfig, now = Date.now()): boolean {
  if (cfg.lockoutFailureAttempts <= 0 || user.failed_auth_count < cfg.lockoutFailureAttempts || !user.failed_auth_at) return false;
  return Date.parse(user.failed_auth_at) + cfg.lockoutDurationSeconds * 1000 > now;
}

export async function recordFailedLogin(db: Kysely<IdentityDb>, user: UserRow, cfg: SecurityComplianceConfig): Promise<void> {
  if (cfg.lockoutFailureAttempts <= 0) return;
  // A lock that has expired starts a fresh count.
  const expired = user.failed_auth_at !== null && Date.parse(user.failed_auth_at) + cfg.lockoutDurationSeconds * 1000 <= Date.now();
  await db.updateTable('identity_user')
    .set({ failed_auth_count: expired ? 1 : user.failed_auth_count + 1, failed_auth_at: new Date().toISOString() })
    .where('id', '=', user.id).execute();
}

export async function clearFailedLogins(db: Kysely<IdentityDb>, user: UserRow): Promise<void> {
  if (user.failed_auth_count === 0) return;
  await db.updateTable('identity_user').set({ failed_auth_count: 0, failed_auth_at: null }).where('id', '=', user.id).execute();
}

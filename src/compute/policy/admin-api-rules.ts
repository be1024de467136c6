// Nova's registered defaults for the admin-only APIs (nova/policies/admin_actions.py,
// server_diagnostics.py, hosts.py, instance_usage_audit_log.py, create_backup.py, networks.py):
// all admin except createBackup (the server's members) and os-networks' reads (any reader).
import type { RuleDefault } from '../../core/policy/index.js';
import { ADMIN, LEGACY_ADMIN_API, LEGACY_ADMIN_OR_OWNER, PROJECT_MEMBER_OR_ADMIN, PROJECT_READER_OR_ADMIN, novaRule } from './base-rules.js';

const admin = novaRule(ADMIN, LEGACY_ADMIN_API);

export const NOVA_ADMIN_API_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:os-admin-actions:reset_state': admin,
  'os_compute_api:os-server-diagnostics': admin,
  'os_compute_api:os-hosts:list': admin,
  'os_compute_api:os-hosts:show': admin,
  'os_compute_api:os-hosts:update': admin,
  'os_compute_api:os-hosts:reboot': admin,
  'os_compute_api:os-hosts:shutdown': admin,
  'os_compute_api:os-hosts:start': admin,
  'os_compute_api:os-instance-usage-audit-log:list': admin,
  'os_compute_api:os-instance-usage-audit-log:show': admin,
  'os_compute_api:os-create-backup': novaRule(PROJECT_MEMBER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER),
  'os_compute_api:os-networks:list': novaRule(PROJECT_READER_OR_ADMIN, 'rule:admin_or_owner'),
  'os_compute_api:os-networks:view': novaRule(PROJECT_READER_OR_ADMIN, 'rule:admin_or_owner'),
};

// Nova's registered defaults for os-aggregates (nova/policies/aggregates.py: all admin) and
// os-server-groups (nova/policies/server_groups.py: the project's members and readers; listing
// every project's groups is admin).
import type { RuleDefault } from '../../core/policy/index.js';
import {
  ADMIN, LEGACY_ADMIN_API, LEGACY_ADMIN_OR_OWNER, novaRule, PROJECT_MEMBER_OR_ADMIN, PROJECT_READER_OR_ADMIN,
} from './base-rules.js';

const admin = novaRule(ADMIN, LEGACY_ADMIN_API);

export const NOVA_AGGREGATE_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:os-aggregates:index': admin,
  'os_compute_api:os-aggregates:create': admin,
  'os_compute_api:os-aggregates:show': admin,
  'os_compute_api:os-aggregates:update': admin,
  'os_compute_api:os-aggregates:delete': admin,
  'os_compute_api:os-aggregates:add_host': admin,
  'os_compute_api:os-aggregates:remove_host': admin,
  'os_compute_api:os-aggregates:set_metadata': admin,
};

export const NOVA_SERVER_GROUP_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:os-server-groups:index': novaRule(PROJECT_READER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER),
  'os_compute_api:os-server-groups:index:all_projects': admin,
  'os_compute_api:os-server-groups:create': novaRule(PROJECT_MEMBER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER),
  'os_compute_api:os-server-groups:show': novaRule(PROJECT_READER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER),
  'os_compute_api:os-server-groups:delete': novaRule(PROJECT_MEMBER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER),
};

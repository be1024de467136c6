// Keystone defaults for roles, implied roles, grants and role assignments (policies/role.py,
// implied_role.py, grant.py, role_assignment.py).
import type { RuleDefault } from './rule-set.js';
import {
  ALL_SCOPES, RULE_ADMIN_REQUIRED, SYSTEM, SYSTEM_ADMIN, SYSTEM_DOMAIN, SYSTEM_READER, rule,
} from './keystone-checks.js';

// One rule protects user and group grants on projects and domains, so the domain part lists all
// four actor/target pairings. A domain-specific role must belong to the caller's domain; a global
// role has domain_id None, which the API layer passes as null.
const USER_DOMAIN = 'domain_id:%(target.user.domain_id)s';
const GROUP_DOMAIN = 'domain_id:%(target.group.domain_id)s';
const PROJECT_DOMAIN = 'domain_id:%(target.project.domain_id)s';
const TARGET_DOMAIN = 'domain_id:%(target.domain.id)s';
const ROLE_DOMAIN = 'domain_id:%(target.role.domain_id)s or None:%(target.role.domain_id)s';

const grantsDomain = (role: string): string =>
  `(role:${role} and ${USER_DOMAIN} and ${PROJECT_DOMAIN}) or ` +
  `(role:${role} and ${USER_DOMAIN} and ${TARGET_DOMAIN}) or ` +
  `(role:${role} and ${GROUP_DOMAIN} and ${PROJECT_DOMAIN}) or ` +
  `(role:${role} and ${GROUP_DOMAIN} and ${TARGET_DOMAIN})`;

// Keystone's exact text; by precedence this is `system or (domain and role-domain)`.
const GRANT_SYSTEM_READER_OR_DOMAIN_READER = `(${SYSTEM_READER}) or (${grantsDomain('reader')}) and (${ROLE_DOMAIN})`;
const GRANT_SYSTEM_READER_OR_DOMAIN_READER_LIST = `(${SYSTEM_READER}) or ${grantsDomain('reader')}`;
const GRANT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN = `(${SYSTEM_ADMIN}) or (${grantsDomain('admin')}) and (${ROLE_DOMAIN})`;

const ASSIGNMENT_SYSTEM_READER_OR_DOMAIN_READER =
  `(${SYSTEM_READER}) or (role:reader and domain_id:%(target.domain_id)s)`;
const ASSIGNMENT_SYSTEM_READER_OR_PROJECT_DOMAIN_READER_OR_PROJECT_ADMIN =
  `(${SYSTEM_READER}) or ` +
  '(role:reader and domain_id:%(target.project.domain_id)s) or ' +
  '(role:admin and project_id:%(target.project.id)s)';

const ADMIN = RULE_ADMIN_REQUIRED;
const systemReader = rule(SYSTEM_READER, SYSTEM, ADMIN);
const systemAdmin = rule(SYSTEM_ADMIN, SYSTEM, ADMIN);

export const KEYSTONE_ASSIGNMENT_RULES: Readonly<Record<string, RuleDefault>> = {
  'identity:get_role': systemReader,
  'identity:list_roles': systemReader,
  'identity:create_role': systemAdmin,
  'identity:update_role': systemAdmin,
  'identity:delete_role': systemAdmin,
  'identity:get_domain_role': systemReader,
  'identity:list_domain_roles': systemReader,
  'identity:create_domain_role': systemAdmin,
  'identity:update_domain_role': systemAdmin,
  'identity:delete_domain_role': systemAdmin,

  'identity:get_implied_role': systemReader,
  'identity:list_implied_roles': systemReader,
  'identity:create_implied_role': systemAdmin,
  'identity:delete_implied_role': systemAdmin,
  'identity:list_role_inference_rules': systemReader,
  'identity:check_implied_role': systemReader,

  'identity:check_grant': rule(GRANT_SYSTEM_READER_OR_DOMAIN_READER, SYSTEM_DOMAIN, ADMIN),
  'identity:list_grants': rule(GRANT_SYSTEM_READER_OR_DOMAIN_READER_LIST, SYSTEM_DOMAIN, ADMIN),
  'identity:create_grant': rule(GRANT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SYSTEM_DOMAIN, ADMIN),
  'identity:revoke_grant': rule(GRANT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SYSTEM_DOMAIN, ADMIN),
  'identity:list_system_grants_for_user': systemReader,
  'identity:check_system_grant_for_user': systemReader,
  'identity:create_system_grant_for_user': systemAdmin,
  'identity:revoke_system_grant_for_user': systemAdmin,
  'identity:list_system_grants_for_group': systemReader,
  'identity:check_system_grant_for_group': systemReader,
  'identity:create_system_grant_for_group': systemAdmin,
  'identity:revoke_system_grant_for_group': systemAdmin,

  // Project-scoped callers other than admins (via the deprecated rule) get nothing here.
  'identity:list_role_assignments': rule(ASSIGNMENT_SYSTEM_READER_OR_DOMAIN_READER, SYSTEM_DOMAIN, ADMIN),
  'identity:list_role_assignments_for_tree':
    rule(ASSIGNMENT_SYSTEM_READER_OR_PROJECT_DOMAIN_READER_OR_PROJECT_ADMIN, ALL_SCOPES, ADMIN),
};

// Keystone defaults for domains, projects and project tags (policies/domain.py, project.py).
import type { RuleDefault } from './rule-set.js';
import {
  ALL_SCOPES, RULE_ADMIN_OR_OWNER, RULE_ADMIN_OR_TARGET_DOMAIN, RULE_ADMIN_OR_TARGET_PROJECT,
  RULE_ADMIN_REQUIRED, SYSTEM, SYSTEM_ADMIN, SYSTEM_DOMAIN, SYSTEM_READER, rule,
} from './keystone-checks.js';

const DOMAIN_SYSTEM_OR_DOMAIN_OR_PROJECT_USER =
  '(role:reader and system_scope:all) or ' +
  'token.domain.id:%(target.domain.id)s or ' +
  'token.project.domain.id:%(target.domain.id)s';

const PROJECT_SYSTEM_READER_OR_DOMAIN_READER_OR_PROJECT_USER =
  `(${SYSTEM_READER}) or ` +
  '(role:reader and domain_id:%(target.project.domain_id)s) or ' +
  'project_id:%(target.project.id)s';

const PROJECT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN_OR_PROJECT_ADMIN =
  `(${SYSTEM_ADMIN}) or ` +
  '(role:admin and domain_id:%(target.project.domain_id)s) or ' +
  '(role:admin and project_id:%(target.project.id)s)';

// Only for /v3/users/{user_id}/projects: the target is the user, not a project.
const PROJECT_SYSTEM_READER_OR_DOMAIN_READER_OR_OWNER =
  `(${SYSTEM_READER}) or ` +
  '(role:reader and domain_id:%(target.user.domain_id)s) or ' +
  'user_id:%(target.user.id)s';

const PROJECT_SYSTEM_READER_OR_DOMAIN_READER =
  `(${SYSTEM_READER}) or ` +
  '(role:reader and domain_id:%(target.domain_id)s)';

const PROJECT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN =
  '(role:admin and system_scope:all) or ' +
  '(role:admin and domain_id:%(target.project.domain_id)s)';

export const KEYSTONE_RESOURCE_RULES: Readonly<Record<string, RuleDefault>> = {
  // policies/domain_config.py: only the security_compliance group is readable by anyone.
  'identity:create_domain_config': rule(SYSTEM_ADMIN, SYSTEM, RULE_ADMIN_REQUIRED),
  'identity:get_domain_config': rule(SYSTEM_READER, SYSTEM, RULE_ADMIN_REQUIRED),
  'identity:get_domain_config_default': rule(SYSTEM_READER, SYSTEM, RULE_ADMIN_REQUIRED),
  'identity:update_domain_config': rule(SYSTEM_ADMIN, SYSTEM, RULE_ADMIN_REQUIRED),
  'identity:delete_domain_config': rule(SYSTEM_ADMIN, SYSTEM, RULE_ADMIN_REQUIRED),
  'identity:get_security_compliance_domain_config': rule('', ALL_SCOPES),
  'identity:get_domain': rule(DOMAIN_SYSTEM_OR_DOMAIN_OR_PROJECT_USER, ALL_SCOPES, RULE_ADMIN_OR_TARGET_DOMAIN),
  'identity:list_domains': rule(SYSTEM_READER, SYSTEM, RULE_ADMIN_REQUIRED),
  'identity:create_domain': rule(SYSTEM_ADMIN, SYSTEM, RULE_ADMIN_REQUIRED),
  'identity:update_domain': rule(SYSTEM_ADMIN, SYSTEM, RULE_ADMIN_REQUIRED),
  'identity:delete_domain': rule(SYSTEM_ADMIN, SYSTEM, RULE_ADMIN_REQUIRED),

  'identity:get_project': rule(PROJECT_SYSTEM_READER_OR_DOMAIN_READER_OR_PROJECT_USER, ALL_SCOPES, RULE_ADMIN_OR_TARGET_PROJECT),
  'identity:list_projects': rule(PROJECT_SYSTEM_READER_OR_DOMAIN_READER, SYSTEM_DOMAIN, RULE_ADMIN_REQUIRED),
  'identity:list_user_projects': rule(PROJECT_SYSTEM_READER_OR_DOMAIN_READER_OR_OWNER, ALL_SCOPES, RULE_ADMIN_OR_OWNER),
  'identity:create_project': rule(PROJECT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SYSTEM_DOMAIN, RULE_ADMIN_REQUIRED),
  'identity:update_project': rule(PROJECT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SYSTEM_DOMAIN, RULE_ADMIN_REQUIRED),
  'identity:delete_project': rule(PROJECT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SYSTEM_DOMAIN, RULE_ADMIN_REQUIRED),

  'identity:list_project_tags': rule(PROJECT_SYSTEM_READER_OR_DOMAIN_READER_OR_PROJECT_USER, ALL_SCOPES, RULE_ADMIN_OR_TARGET_PROJECT),
  'identity:get_project_tag': rule(PROJECT_SYSTEM_READER_OR_DOMAIN_READER_OR_PROJECT_USER, ALL_SCOPES, RULE_ADMIN_OR_TARGET_PROJECT),
  'identity:update_project_tags': rule(PROJECT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN_OR_PROJECT_ADMIN, ALL_SCOPES, RULE_ADMIN_REQUIRED),
  'identity:create_project_tag': rule(PROJECT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN_OR_PROJECT_ADMIN, ALL_SCOPES, RULE_ADMIN_REQUIRED),
  'identity:delete_project_tags': rule(PROJECT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN_OR_PROJECT_ADMIN, ALL_SCOPES, RULE_ADMIN_REQUIRED),
  'identity:delete_project_tag': rule(PROJECT_SYSTEM_ADMIN_OR_DOMAIN_ADMIN_OR_PROJECT_ADMIN, ALL_SCOPES, RULE_ADMIN_REQUIRED),
};

// Keystone defaults for the catalog, tokens and limits (policies/region.py, service.py,
// endpoint.py, auth.py, token.py, limit.py, registered_limit.py).
import type { RuleDefault } from './rule-set.js';
import {
  ALL_SCOPES, RULE_ADMIN_OR_TOKEN_SUBJECT, RULE_ADMIN_REQUIRED, RULE_SERVICE_ADMIN_OR_TOKEN_SUBJECT,
  SYSTEM, SYSTEM_ADMIN, SYSTEM_READER, rule,
} from './keystone-checks.js';

const TOKEN_SYSTEM_ADMIN_OR_TOKEN_SUBJECT = '(role:admin and system_scope:all) or rule:token_subject';
const TOKEN_SYSTEM_USER_OR_TOKEN_SUBJECT = '(role:reader and system_scope:all) or rule:token_subject';
const TOKEN_SYSTEM_USER_OR_SERVICE_OR_TOKEN_SUBJECT =
  '(role:reader and system_scope:all) or rule:service_role or rule:token_subject';

// `not None:` keeps a domain-level limit (project_id None) from matching a project token.
const LIMIT_SYSTEM_OR_DOMAIN_OR_PROJECT_USER =
  `(${SYSTEM_READER}) or ` +
  '(domain_id:%(target.limit.domain.id)s or domain_id:%(target.limit.project.domain_id)s) or ' +
  '(project_id:%(target.limit.project_id)s and not None:%(target.limit.project_id)s)';

const ADMIN = RULE_ADMIN_REQUIRED;
const anyone = rule('', ALL_SCOPES);
const systemReader = rule(SYSTEM_READER, SYSTEM, ADMIN);
const systemAdmin = rule(SYSTEM_ADMIN, SYSTEM, ADMIN);
// Limits were written for scope from the start: there is no legacy admin fallback.
const systemAdminOnly = rule(SYSTEM_ADMIN, SYSTEM);

export const KEYSTONE_CATALOG_RULES: Readonly<Record<string, RuleDefault>> = {
  'identity:get_region': anyone,
  'identity:list_regions': anyone,
  'identity:create_region': systemAdmin,
  'identity:update_region': systemAdmin,
  'identity:delete_region': systemAdmin,
  'identity:get_service': systemReader,
  'identity:list_services': systemReader,
  'identity:create_service': systemAdmin,
  'identity:update_service': systemAdmin,
  'identity:delete_service': systemAdmin,
  'identity:get_endpoint': systemReader,
  'identity:list_endpoints': systemReader,
  'identity:create_endpoint': systemAdmin,
  'identity:update_endpoint': systemAdmin,
  'identity:delete_endpoint': systemAdmin,

  'identity:get_auth_catalog': rule(''),
  'identity:get_auth_projects': rule(''),
  'identity:get_auth_domains': rule(''),
  'identity:get_auth_system': rule(''),
  'identity:check_token': rule(TOKEN_SYSTEM_USER_OR_TOKEN_SUBJECT, ALL_SCOPES, RULE_ADMIN_OR_TOKEN_SUBJECT),
  'identity:validate_token':
    rule(TOKEN_SYSTEM_USER_OR_SERVICE_OR_TOKEN_SUBJECT, ALL_SCOPES, RULE_SERVICE_ADMIN_OR_TOKEN_SUBJECT),
  'identity:revoke_token': rule(TOKEN_SYSTEM_ADMIN_OR_TOKEN_SUBJECT, ALL_SCOPES, RULE_ADMIN_OR_TOKEN_SUBJECT),

  'identity:get_limit_model': anyone,
  'identity:get_limit': rule(LIMIT_SYSTEM_OR_DOMAIN_OR_PROJECT_USER, ALL_SCOPES),
  'identity:list_limits': anyone,
  'identity:create_limits': systemAdminOnly,
  'identity:update_limit': systemAdminOnly,
  'identity:delete_limit': systemAdminOnly,
  'identity:get_registered_limit': anyone,
  'identity:list_registered_limits': anyone,
  'identity:create_registered_limits': systemAdminOnly,
  'identity:update_registered_limit': systemAdminOnly,
  'identity:delete_registered_limit': systemAdminOnly,
};

// Keystone defaults for users, groups and application credentials (policies/user.py, group.py,
// application_credential.py).
import type { RuleDefault } from './rule-set.js';
import {
  ALL_SCOPES, DOMAIN_READER, RULE_ADMIN_OR_OWNER, RULE_ADMIN_REQUIRED, RULE_OWNER,
  RULE_SYSTEM_ADMIN_OR_OWNER, RULE_SYSTEM_READER_OR_OWNER, SYSTEM_DOMAIN, SYSTEM_PROJECT, SYSTEM_READER, rule,
} from './keystone-checks.js';

// Users compare the *token's* domain (token.domain.id), not the domain_id credential.
const USER_SYSTEM_READER_OR_DOMAIN_READER_OR_USER =
  `(${SYSTEM_READER}) or ` +
  '(role:reader and token.domain.id:%(target.user.domain_id)s) or ' +
  'user_id:%(target.user.id)s';

const USER_SYSTEM_READER_OR_DOMAIN_READER = `(${SYSTEM_READER}) or (${DOMAIN_READER})`;

const USER_SYSTEM_ADMIN_OR_DOMAIN_ADMIN =
  '(role:admin and system_scope:all) or ' +
  '(role:admin and token.domain.id:%(target.user.domain_id)s)';

const GROUP_SYSTEM_READER_OR_DOMAIN_READER_FOR_TARGET_USER_OR_OWNER =
  '(role:reader and system_scope:all) or ' +
  '(role:reader and domain_id:%(target.user.domain_id)s) or ' +
  'user_id:%(user_id)s';

const GROUP_SYSTEM_READER_OR_DOMAIN_READER_FOR_TARGET_GROUP_USER =
  '(role:reader and system_scope:all) or ' +
  '(role:reader and domain_id:%(target.group.domain_id)s and domain_id:%(target.user.domain_id)s)';

const GROUP_SYSTEM_ADMIN_OR_DOMAIN_ADMIN_FOR_TARGET_GROUP_USER =
  '(role:admin and system_scope:all) or ' +
  '(role:admin and domain_id:%(target.group.domain_id)s and domain_id:%(target.user.domain_id)s)';

const GROUP_SYSTEM_READER_OR_DOMAIN_READER =
  '(role:reader and system_scope:all) or ' +
  '(role:reader and domain_id:%(target.group.domain_id)s)';

const GROUP_SYSTEM_ADMIN_OR_DOMAIN_ADMIN =
  '(role:admin and system_scope:all) or ' +
  '(role:admin and domain_id:%(target.group.domain_id)s)';

const ALL = ALL_SCOPES;
const SD = SYSTEM_DOMAIN;
const ADMIN = RULE_ADMIN_REQUIRED;

export const KEYSTONE_IDENTITY_RULES: Readonly<Record<string, RuleDefault>> = {
  'identity:get_user': rule(USER_SYSTEM_READER_OR_DOMAIN_READER_OR_USER, ALL, RULE_ADMIN_OR_OWNER),
  'identity:list_users': rule(USER_SYSTEM_READER_OR_DOMAIN_READER, SD, ADMIN),
  // Called with unscoped tokens too, so Keystone gives these no scope_types.
  'identity:list_projects_for_user': rule(''),
  'identity:list_domains_for_user': rule(''),
  'identity:create_user': rule(USER_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SD, ADMIN),
  'identity:update_user': rule(USER_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SD, ADMIN),
  'identity:delete_user': rule(USER_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SD, ADMIN),

  'identity:get_group': rule(GROUP_SYSTEM_READER_OR_DOMAIN_READER, SD, ADMIN),
  'identity:list_groups': rule(GROUP_SYSTEM_READER_OR_DOMAIN_READER, SD, ADMIN),
  'identity:list_groups_for_user': rule(GROUP_SYSTEM_READER_OR_DOMAIN_READER_FOR_TARGET_USER_OR_OWNER, ALL, RULE_ADMIN_OR_OWNER),
  'identity:create_group': rule(GROUP_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SD, ADMIN),
  'identity:update_group': rule(GROUP_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SD, ADMIN),
  'identity:delete_group': rule(GROUP_SYSTEM_ADMIN_OR_DOMAIN_ADMIN, SD, ADMIN),
  'identity:list_users_in_group': rule(GROUP_SYSTEM_READER_OR_DOMAIN_READER, SD, ADMIN),
  'identity:remove_user_from_group': rule(GROUP_SYSTEM_ADMIN_OR_DOMAIN_ADMIN_FOR_TARGET_GROUP_USER, SD, ADMIN),
  'identity:check_user_in_group': rule(GROUP_SYSTEM_READER_OR_DOMAIN_READER_FOR_TARGET_GROUP_USER, SD, ADMIN),
  'identity:add_user_to_group': rule(GROUP_SYSTEM_ADMIN_OR_DOMAIN_ADMIN_FOR_TARGET_GROUP_USER, SD, ADMIN),

  'identity:get_application_credential': rule(RULE_SYSTEM_READER_OR_OWNER, SYSTEM_PROJECT, RULE_ADMIN_OR_OWNER),
  'identity:list_application_credentials': rule(RULE_SYSTEM_READER_OR_OWNER, SYSTEM_PROJECT, RULE_ADMIN_OR_OWNER),
  // No deprecated rule: even a cloud admin cannot create credentials for someone else.
  'identity:create_application_credential': rule(RULE_OWNER, ['project']),
  'identity:delete_application_credential': rule(RULE_SYSTEM_ADMIN_OR_OWNER, SYSTEM_PROJECT, RULE_ADMIN_OR_OWNER),
};

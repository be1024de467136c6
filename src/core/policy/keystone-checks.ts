// Keystone's shared check strings (keystone/common/policies/base.py, 2023 releases) and the base
// rules it registers. Keystone inlines the scoped checks rather than naming them, so the rule
// strings here match `oslopolicy-sample-generator --namespace keystone` output word for word.
import type { RuleDefault } from './rule-set.js';

// `system_scope:all` is spelled out because enforce_scope defaults to false: without it a
// project-scoped reader would pass checks meant for system readers.
export const SYSTEM_READER = 'role:reader and system_scope:all';
export const SYSTEM_ADMIN = 'role:admin and system_scope:all';
export const DOMAIN_READER = 'role:reader and domain_id:%(target.domain_id)s';
export const RULE_SYSTEM_ADMIN_OR_OWNER = `(${SYSTEM_ADMIN}) or rule:owner`;
export const RULE_SYSTEM_READER_OR_OWNER = `(${SYSTEM_READER}) or rule:owner`;

// The pre-scope (deprecated) defaults, still OR-ed in while scope is not enforced.
export const RULE_ADMIN_REQUIRED = 'rule:admin_required';
export const RULE_OWNER = 'user_id:%(user_id)s';
export const RULE_ADMIN_OR_OWNER = 'rule:admin_or_owner';
export const RULE_ADMIN_OR_TARGET_DOMAIN = 'rule:admin_required or token.project.domain.id:%(target.domain.id)s';
export const RULE_ADMIN_OR_TARGET_PROJECT = 'rule:admin_required or project_id:%(target.project.id)s';
export const RULE_ADMIN_OR_TOKEN_SUBJECT = 'rule:admin_or_token_subject';
export const RULE_SERVICE_ADMIN_OR_TOKEN_SUBJECT = 'rule:service_admin_or_token_subject';

export const KEYSTONE_BASE_RULES: Readonly<Record<string, RuleDefault>> = {
  admin_required: { check: 'role:admin or is_admin:1' },
  service_role: { check: 'role:service' },
  service_or_admin: { check: 'rule:admin_required or rule:service_role' },
  owner: { check: RULE_OWNER },
  admin_or_owner: { check: 'rule:admin_required or rule:owner' },
  token_subject: { check: 'user_id:%(target.token.user_id)s' },
  admin_or_token_subject: { check: 'rule:admin_required or rule:token_subject' },
  service_admin_or_token_subject: { check: 'rule:service_or_admin or rule:token_subject' },
};

/** Shorthand for a rule entry: check string, scope_types, deprecated check string. */
export function rule(check: string, scopeTypes?: RuleDefault['scopeTypes'], deprecated?: string): RuleDefault {
  return {
    check,
    ...(scopeTypes === undefined ? {} : { scopeTypes }),
    ...(deprecated === undefined ? {} : { deprecated }),
  };
}

export const SYSTEM: RuleDefault['scopeTypes'] = ['system'];
export const SYSTEM_DOMAIN: RuleDefault['scopeTypes'] = ['system', 'domain'];
export const SYSTEM_PROJECT: RuleDefault['scopeTypes'] = ['system', 'project'];
export const ALL_SCOPES: RuleDefault['scopeTypes'] = ['system', 'domain', 'project'];

// Nova's base rules and shared check strings (nova/policies/base.py, 2023 releases: project-scoped
// secure RBAC). With enforceScope off, each rule's deprecated (pre-RBAC) check is OR-ed in, as
// Nova does while enforce_new_defaults is off.
import type { RuleDefault } from '../../core/policy/index.js';

export const ADMIN = 'rule:context_is_admin';
export const ANY = '@';
export const PROJECT_MEMBER = 'role:member and project_id:%(project_id)s';
export const PROJECT_READER = 'role:reader and project_id:%(project_id)s';
export const PROJECT_MEMBER_OR_ADMIN = 'rule:project_member_or_admin';
export const PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin';

/** The pre-RBAC defaults. */
export const LEGACY_ADMIN_API = 'rule:admin_api';
export const LEGACY_ADMIN_OR_OWNER = 'rule:admin_or_owner';

/** Nova's policies are all project-scoped (system scope was dropped in 2023.1). */
export const PROJECT_SCOPE: RuleDefault['scopeTypes'] = ['project'];

export function novaRule(check: string, deprecated?: string): RuleDefault {
  return { check, scopeTypes: PROJECT_SCOPE, ...(deprecated === undefined ? {} : { deprecated }) };
}

export const NOVA_BASE_RULES: Readonly<Record<string, RuleDefault>> = {
  context_is_admin: { check: 'role:admin' },
  admin_or_owner: { check: 'is_admin:True or project_id:%(project_id)s' },
  admin_api: { check: 'is_admin:True' },
  project_manager_api: { check: 'role:manager and project_id:%(project_id)s' },
  project_member_api: { check: PROJECT_MEMBER },
  project_reader_api: { check: PROJECT_READER },
  project_manager_or_admin: { check: 'rule:project_manager_api or rule:context_is_admin' },
  project_member_or_admin: { check: 'rule:project_member_api or rule:context_is_admin' },
  project_reader_or_admin: { check: 'rule:project_reader_api or rule:context_is_admin' },
  service_api: { check: 'role:service' },
  service_or_admin: { check: 'rule:service_api or rule:context_is_admin' },
};

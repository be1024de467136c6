// Nova's registered defaults for what the compute API serves so far (nova/policies/
// flavor_manage.py, flavor_extra_specs.py, flavor_access.py, keypairs.py, limits.py,
// availability_zone.py, quota_sets.py, quota_class_sets.py). Flavor list/show have no rule.
import type { RuleDefault } from '../../core/policy/index.js';
import { ADMIN, ANY, LEGACY_ADMIN_API, LEGACY_ADMIN_OR_OWNER, novaRule, PROJECT_READER_OR_ADMIN } from './base-rules.js';

const admin = novaRule(ADMIN, LEGACY_ADMIN_API);
const any = novaRule(ANY);

export const NOVA_FLAVOR_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:os-flavor-manage:create': admin,
  'os_compute_api:os-flavor-manage:update': admin,
  'os_compute_api:os-flavor-manage:delete': admin,
  'os_compute_api:os-flavor-extra-specs:index': novaRule(PROJECT_READER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER),
  'os_compute_api:os-flavor-extra-specs:show': novaRule(PROJECT_READER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER),
  'os_compute_api:os-flavor-extra-specs:create': admin,
  'os_compute_api:os-flavor-extra-specs:update': admin,
  'os_compute_api:os-flavor-extra-specs:delete': admin,
  'os_compute_api:os-flavor-access': admin,
  'os_compute_api:os-flavor-access:add_tenant_access': admin,
  'os_compute_api:os-flavor-access:remove_tenant_access': admin,
};

const KEYPAIR = `(${ADMIN}) or user_id:%(user_id)s`;
const LEGACY_KEYPAIR = 'rule:admin_api or user_id:%(user_id)s';

export const NOVA_KEYPAIR_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:os-keypairs:index': novaRule(KEYPAIR, LEGACY_KEYPAIR),
  'os_compute_api:os-keypairs:create': novaRule(KEYPAIR, LEGACY_KEYPAIR),
  'os_compute_api:os-keypairs:delete': novaRule(KEYPAIR, LEGACY_KEYPAIR),
  'os_compute_api:os-keypairs:show': novaRule(KEYPAIR, LEGACY_KEYPAIR),
};

export const NOVA_QUOTA_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:limits': any,
  'os_compute_api:limits:other_project': admin,
  'os_compute_api:os-quota-sets:show': novaRule(PROJECT_READER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER),
  'os_compute_api:os-quota-sets:detail': novaRule(PROJECT_READER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER),
  'os_compute_api:os-quota-sets:defaults': any,
  'os_compute_api:os-quota-sets:update': admin,
  'os_compute_api:os-quota-sets:delete': admin,
  'os_compute_api:os-quota-class-sets:show': novaRule(ADMIN, 'is_admin:True or quota_class:%(quota_class)s'),
  'os_compute_api:os-quota-class-sets:update': admin,
};

export const NOVA_ZONE_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:os-availability-zone:list': any,
  'os_compute_api:os-availability-zone:detail': admin,
};

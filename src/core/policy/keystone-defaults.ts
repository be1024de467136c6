// Keystone's registered policy defaults for identity v3, as shipped in its 2023 releases (secure
// RBAC: admin/member/reader roles over system, domain and project scope). Each entry keeps
// Keystone's check string, scope_types and deprecated (pre-scope) check string; with
// enforceScope false the Enforcer evaluates `check OR deprecated`, so a project-scoped `admin`
// (what DevStack and Tempest use) is still a cloud admin.
import { KEYSTONE_BASE_RULES } from './keystone-checks.js';
import { KEYSTONE_ASSIGNMENT_RULES } from './keystone-rules-assignment.js';
import { KEYSTONE_CATALOG_RULES } from './keystone-rules-catalog.js';
import { KEYSTONE_DELEGATION_RULES } from './keystone-rules-delegation.js';
import { KEYSTONE_IDENTITY_RULES } from './keystone-rules-identity.js';
import { KEYSTONE_RESOURCE_RULES } from './keystone-rules-resource.js';
import type { RuleDefault } from './rule-set.js';

export const KEYSTONE_RULE_FAMILIES: readonly Readonly<Record<string, RuleDefault>>[] = [
  KEYSTONE_BASE_RULES,
  KEYSTONE_RESOURCE_RULES,
  KEYSTONE_IDENTITY_RULES,
  KEYSTONE_ASSIGNMENT_RULES,
  KEYSTONE_CATALOG_RULES,
  KEYSTONE_DELEGATION_RULES,
];

/** Pass to `new Enforcer(keystoneDefaults, { enforceScope, overrides })`. */
export const keystoneDefaults: Readonly<Record<string, RuleDefault>> = Object.assign({}, ...KEYSTONE_RULE_FAMILIES);

/**
 * The legacy rule OR-ed into each default while enforceScope is false — mostly
 * `rule:admin_required` for writes and `rule:admin_or_owner`-style checks for reads.
 */
export const KEYSTONE_LEGACY_RULES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(keystoneDefaults).flatMap(([name, r]) => (r.deprecated === undefined ? [] : [[name, r.deprecated]])),
);

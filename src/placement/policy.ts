// Placement's registered policy defaults (placement/policies/*.py, 2023 releases): almost every
// API is `rule:admin_or_service_api` (role:admin or role:service), GET /usages also lets a
// project reader see its own project, and the reshaper is for services. Scope types are
// ['project']; with enforceScope off the deprecated `rule:admin_api` (role:admin) is OR-ed in.
import { Enforcer, type DefaultRules, type RuleDefault } from '../core/policy/index.js';
import type { NimbusConfig } from '../core/config.js';

const PROJECT = ['project'] as const;
const DEPRECATED_ADMIN = 'role:admin';
const ADMIN_OR_SERVICE = 'rule:admin_or_service_api';
const ADMIN_OR_PROJECT_READER_OR_SERVICE = 'rule:admin_or_project_reader_or_service_api';

const api = (check: string): RuleDefault => ({ check, scopeTypes: [...PROJECT] });

export const PLACEMENT_BASE_RULES: Readonly<Record<string, RuleDefault>> = {
  admin_api: { check: 'role:admin', scopeTypes: [...PROJECT] },
  service_api: { check: 'role:service', scopeTypes: [...PROJECT], deprecated: DEPRECATED_ADMIN },
  admin_or_service_api: { check: 'role:admin or role:service', scopeTypes: [...PROJECT], deprecated: DEPRECATED_ADMIN },
  project_reader_api: { check: 'role:reader and project_id:%(project_id)s', deprecated: DEPRECATED_ADMIN },
  admin_or_project_reader_or_service_api: {
    check: 'role:admin or rule:project_reader_api or role:service', scopeTypes: [...PROJECT], deprecated: DEPRECATED_ADMIN,
  },
};

const crud = (prefix: string, actions: readonly string[]): Record<string, RuleDefault> =>
  Object.fromEntries(actions.map((a) => [`${prefix}:${a}`, api(ADMIN_OR_SERVICE)]));

export const PLACEMENT_API_RULES: Readonly<Record<string, RuleDefault>> = {
  ...crud('placement:resource_providers', ['create', 'delete', 'list', 'show', 'update']),
  ...crud('placement:resource_providers:inventories', ['list', 'create', 'show', 'update', 'delete']),
  ...crud('placement:resource_providers:aggregates', ['list', 'update']),
  ...crud('placement:resource_providers:traits', ['list', 'update', 'delete']),
  'placement:resource_providers:usages': api(ADMIN_OR_SERVICE),
  'placement:resource_providers:allocations:list': api(ADMIN_OR_SERVICE),
  ...crud('placement:resource_classes', ['list', 'create', 'show', 'update', 'delete']),
  ...crud('placement:traits', ['list', 'show', 'update', 'delete']),
  ...crud('placement:allocations', ['manage', 'list', 'update', 'delete']),
  'placement:allocation_candidates:list': api(ADMIN_OR_SERVICE),
  'placement:usages': api(ADMIN_OR_PROJECT_READER_OR_SERVICE),
  'placement:reshaper:reshape': api('rule:service_api'),
};

export const placementDefaults: DefaultRules = { ...PLACEMENT_BASE_RULES, ...PLACEMENT_API_RULES };

/** Scope enforcement follows the cloud-wide identity switch, as for the other services. */
export function createPlacementEnforcer(config: NimbusConfig): Enforcer {
  return new Enforcer(placementDefaults, { enforceScope: config.identity.enforceScope });
}

// Nova's registered defaults for os-services and os-hypervisors (nova/policies/services.py,
// hypervisors.py): all admin.
import type { RuleDefault } from '../../core/policy/index.js';
import { ADMIN, LEGACY_ADMIN_API, novaRule } from './base-rules.js';

const admin = novaRule(ADMIN, LEGACY_ADMIN_API);

export const NOVA_SERVICE_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:os-services:list': admin,
  'os_compute_api:os-services:update': admin,
  'os_compute_api:os-services:delete': admin,
};

export const NOVA_HYPERVISOR_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:os-hypervisors:list': admin,
  'os_compute_api:os-hypervisors:list-detail': admin,
  'os_compute_api:os-hypervisors:statistics': admin,
  'os_compute_api:os-hypervisors:show': admin,
  'os_compute_api:os-hypervisors:uptime': admin,
  'os_compute_api:os-hypervisors:search': admin,
  'os_compute_api:os-hypervisors:servers': admin,
};

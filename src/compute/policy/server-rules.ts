// Nova's registered defaults for servers (nova/policies/servers.py) and the extended server
// attributes (extended_server_attributes.py), 2023 releases: reading a server is the project's
// readers', acting on it the project's members', anything crossing projects or hosts the admin's.
import type { RuleDefault } from '../../core/policy/index.js';
import {
  ADMIN, LEGACY_ADMIN_API, LEGACY_ADMIN_OR_OWNER, novaRule, PROJECT_MEMBER_OR_ADMIN, PROJECT_READER_OR_ADMIN,
} from './base-rules.js';

const admin = novaRule(ADMIN, LEGACY_ADMIN_API);
const reader = novaRule(PROJECT_READER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER);
const member = novaRule(PROJECT_MEMBER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER);

export const NOVA_SERVER_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:servers:index': reader,
  'os_compute_api:servers:detail': reader,
  'os_compute_api:servers:index:get_all_tenants': admin,
  'os_compute_api:servers:detail:get_all_tenants': admin,
  'os_compute_api:servers:allow_all_filters': admin,
  'os_compute_api:servers:show': reader,
  'os_compute_api:servers:show:flavor-extra-specs': reader,
  'os_compute_api:servers:show:host_status': admin,
  'os_compute_api:servers:show:host_status:unknown-only': admin,
  'os_compute_api:servers:create': member,
  'os_compute_api:servers:create:forced_host': admin,
  // Nova's name has no os_compute_api prefix; the prefixed alias is what a policy file may use here.
  'compute:servers:create:requested_destination': admin,
  'os_compute_api:servers:create:requested_destination': admin,
  'os_compute_api:servers:create:attach_volume': member,
  'os_compute_api:servers:create:attach_network': member,
  'os_compute_api:servers:create:trusted_certs': member,
  'os_compute_api:servers:create:zero_disk_flavor': admin,
  'network:attach_external_network': admin,
  'os_compute_api:servers:update': member,
  'os_compute_api:servers:delete': member,
  'os_compute_api:servers:start': member,
  'os_compute_api:servers:stop': member,
  'os_compute_api:servers:reboot': member,
  'os_compute_api:servers:confirm_resize': member,
  'os_compute_api:servers:revert_resize': member,
  'os_compute_api:servers:resize': member,
  'os_compute_api:servers:rebuild': member,
  'os_compute_api:servers:rebuild:trusted_certs': member,
  'os_compute_api:servers:create_image': member,
  'os_compute_api:servers:create_image:allow_volume_backed': member,
  'os_compute_api:servers:trigger_crash_dump': member,
  // Cross-cell resize is off for everyone by default (base.RULE_NOBODY).
  'compute:servers:resize:cross_cell': novaRule('!'),
  // extended_server_attributes.py: host, node, instance name and the 2.3 fields.
  'os_compute_api:os-extended-server-attributes': admin,
};

// Nova's registered defaults for the server sub-resources (nova/policies/console_output.py,
// remote_consoles.py, console_auth_tokens.py,
// server_metadata.py, ips.py, instance_actions.py, server_external_events.py, server_tags.py,
// lock_server.py, pause_server.py, suspend_server.py, rescue.py, attach_interfaces.py, admin_password.py,
// security_groups.py, floating_ips.py, floating_ip_pools.py, multinic.py, simple_tenant_usage.py).
// Readers see, members change; instance action events (with tracebacks) and their details are
// admin's; external events come from services (Neutron) — Nova 2023.2 moved that rule from admin
// to the service role, both are accepted here.
import type { RuleDefault } from '../../core/policy/index.js';
import { ADMIN, ANY, LEGACY_ADMIN_API, LEGACY_ADMIN_OR_OWNER, PROJECT_MEMBER_OR_ADMIN, PROJECT_READER_OR_ADMIN, novaRule } from './base-rules.js';

const reader = novaRule(PROJECT_READER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER);
const member = novaRule(PROJECT_MEMBER_OR_ADMIN, LEGACY_ADMIN_OR_OWNER);
const admin = novaRule(ADMIN, LEGACY_ADMIN_API);

export const NOVA_SERVER_EXTRA_RULES: Readonly<Record<string, RuleDefault>> = {
  'os_compute_api:os-console-output': member,
  // remote_consoles.py, console_auth_tokens.py.
  'os_compute_api:os-remote-consoles': member,
  'os_compute_api:os-console-auth-tokens': admin,
  'os_compute_api:server-metadata:index': reader,
  'os_compute_api:server-metadata:show': reader,
  'os_compute_api:server-metadata:create': member,
  'os_compute_api:server-metadata:update_all': member,
  'os_compute_api:server-metadata:update': member,
  'os_compute_api:server-metadata:delete': member,
  'os_compute_api:ips:index': reader,
  'os_compute_api:ips:show': reader,
  'os_compute_api:os-attach-interfaces:list': reader,
  'os_compute_api:os-attach-interfaces:show': reader,
  'os_compute_api:os-server-password:show': reader,
  'os_compute_api:os-server-password:clear': member,
  'os_compute_api:os-instance-actions:list': reader,
  'os_compute_api:os-instance-actions:show': reader,
  'os_compute_api:os-instance-actions:events': admin,
  'os_compute_api:os-instance-actions:events:details': admin,
  'os_compute_api:os-server-external-events:create': novaRule('rule:service_or_admin', LEGACY_ADMIN_API),
  'os_compute_api:os-server-tags:index': reader,
  'os_compute_api:os-server-tags:show': reader,
  'os_compute_api:os-server-tags:update': member,
  'os_compute_api:os-server-tags:update_all': member,
  'os_compute_api:os-server-tags:delete': member,
  'os_compute_api:os-server-tags:delete_all': member,
  // lock_server.py, pause_server.py, suspend_server.py.
  'os_compute_api:os-lock-server:lock': member,
  'os_compute_api:os-lock-server:unlock': member,
  'os_compute_api:os-lock-server:unlock:unlock_override': admin,
  'os_compute_api:os-pause-server:pause': member,
  'os_compute_api:os-pause-server:unpause': member,
  'os_compute_api:os-suspend-server:suspend': member,
  'os_compute_api:os-suspend-server:resume': member,
  // rescue.py, attach_interfaces.py, admin_password.py.
  'os_compute_api:os-rescue': member,
  'os_compute_api:os-unrescue': member,
  'os_compute_api:os-attach-interfaces:create': member,
  'os_compute_api:os-attach-interfaces:delete': member,
  'os_compute_api:os-admin-password': member,
  // security_groups.py: the proxy to the network service and a server's groups.
  'os_compute_api:os-security-groups:get': reader,
  'os_compute_api:os-security-groups:show': reader,
  'os_compute_api:os-security-groups:create': member,
  'os_compute_api:os-security-groups:update': member,
  'os_compute_api:os-security-groups:delete': member,
  'os_compute_api:os-security-groups:list': reader,
  'os_compute_api:os-security-groups:add': member,
  'os_compute_api:os-security-groups:remove': member,
  'os_compute_api:os-security-groups:rule:create': member,
  'os_compute_api:os-security-groups:rule:delete': member,
  // floating_ips.py and floating_ip_pools.py (the proxy and the server actions), multinic.py.
  'os_compute_api:os-floating-ips:list': reader,
  'os_compute_api:os-floating-ips:show': reader,
  'os_compute_api:os-floating-ips:create': member,
  'os_compute_api:os-floating-ips:delete': member,
  'os_compute_api:os-floating-ips:add': member,
  'os_compute_api:os-floating-ips:remove': member,
  'os_compute_api:os-floating-ip-pools:list': novaRule(ANY),
  'os_compute_api:os-multinic:add': member,
  'os_compute_api:os-multinic:remove': member,
  // simple_tenant_usage.py: every project's usage is the admin's, one project's its readers'.
  'os_compute_api:os-simple-tenant-usage:list': admin,
  'os_compute_api:os-simple-tenant-usage:show': reader,
  // migrate_server.py and migrations.py: moving servers between hosts and seeing moves is the admin's.
  'os_compute_api:os-migrate-server:migrate': admin,
  'os_compute_api:os-migrate-server:migrate:host': admin,
  'os_compute_api:os-migrate-server:migrate_live': admin,
  'os_compute_api:os-migrate-server:migrate_live:host': admin,
  'os_compute_api:os-evacuate': admin,
  'os_compute_api:os-migrations:index': admin,
  'os_compute_api:servers:migrations:index': admin,
  'os_compute_api:servers:migrations:show': admin,
  'os_compute_api:servers:migrations:force_complete': admin,
  'os_compute_api:servers:migrations:delete': admin,
  // shelve.py: the project's members shelve and unshelve; offloading and choosing the host is the admin's.
  'os_compute_api:os-shelve:shelve': member,
  'os_compute_api:os-shelve:shelve_offload': admin,
  'os_compute_api:os-shelve:unshelve': member,
  'os_compute_api:os-shelve:unshelve_to_host': admin,
};

// Every compute route module, registered in one place. The servers step adds its modules here
// (servers, server actions, metadata, ips, instance actions, services, hypervisors, aggregates,
// server groups, external events), each through the same ComputeRouter.
import type { FastifyInstance } from 'fastify';
import type { ComputeDeps } from './deps.js';
import { ComputeRouter } from './router.js';
import { registerVersionRoutes } from './version-routes.js';
import { registerFlavorRoutes } from './flavor-routes.js';
import { registerFlavorExtraSpecRoutes } from './flavor-extra-spec-routes.js';
import { registerFlavorAccessRoutes } from './flavor-access-routes.js';
import { registerKeypairRoutes } from './keypair-routes.js';
import { registerAvailabilityZoneRoutes } from './availability-zone-routes.js';
import { registerQuotaRoutes } from './quota-routes.js';
import { registerServiceRoutes } from './service-routes.js';
import { registerHypervisorRoutes } from './hypervisor-routes.js';
import { registerServerCreateRoutes } from './server-create-routes.js';
import { registerServerRoutes } from './server-routes.js';
import { registerServerActionRoutes } from './server-action-routes.js';
import { SERVER_LOCK_ACTIONS } from './server-lock-routes.js';
import { SERVER_REBUILD_ACTIONS } from './server-rebuild-routes.js';
import { SERVER_IMAGE_ACTIONS } from './server-image-routes.js';
import { SERVER_MOVE_ACTIONS } from './server-move-routes.js';
import { SERVER_SHELVE_ACTIONS } from './server-shelve-routes.js';
import { SERVER_EVACUATE_ACTIONS } from './server-evacuate-routes.js';
import { SERVER_RESET_STATE_ACTIONS } from './server-reset-state-routes.js';
import { registerServerDiagnosticsRoutes } from './server-diagnostics-routes.js';
import { registerHostRoutes } from './host-routes.js';
import { registerInstanceUsageAuditLogRoutes } from './instance-usage-audit-log-routes.js';
import { registerNetworkRoutes } from './network-routes.js';
import { SERVER_BACKUP_ACTIONS } from './server-backup-routes.js';
import { registerMigrationRoutes } from './migration-routes.js';
import { SERVER_RESCUE_ACTIONS } from './server-rescue-routes.js';
import { SERVER_PASSWORD_ACTIONS } from './server-admin-password-routes.js';
import { registerSecurityGroupRoutes, SERVER_SECURITY_GROUP_ACTIONS } from './security-group-routes.js';
import { registerSecurityGroupRuleRoutes } from './security-group-rule-routes.js';
import { registerFloatingIpRoutes } from './floating-ip-routes.js';
import { registerFloatingIpPoolRoutes } from './floating-ip-pool-routes.js';
import { SERVER_FLOATING_IP_ACTIONS } from './floating-ip-action-routes.js';
import { SERVER_FIXED_IP_ACTIONS } from './fixed-ip-action-routes.js';
import { registerTenantUsageRoutes } from './tenant-usage-routes.js';
import { registerImageRoutes } from './image-routes.js';
import { registerImageMetadataRoutes } from './image-metadata-routes.js';
import { registerServerMetadataRoutes } from './server-metadata-routes.js';
import { registerServerIpsRoutes } from './server-ips-routes.js';
import { registerServerInterfaceRoutes } from './server-interface-routes.js';
import { registerServerPasswordRoutes } from './server-password-routes.js';
import { registerInstanceActionRoutes } from './instance-action-routes.js';
import { registerExternalEventRoutes } from './external-event-routes.js';
import { registerServerTagRoutes } from './server-tag-routes.js';
import { registerAggregateRoutes } from './aggregate-routes.js';
import { registerServerGroupRoutes } from './server-group-routes.js';
import { registerRemoteConsoleRoutes, SERVER_CONSOLE_ACTIONS } from './remote-console-routes.js';

export function registerComputeRoutes(app: FastifyInstance, deps: ComputeDeps): ComputeRouter {
  registerVersionRoutes(app, deps);
  const router = new ComputeRouter(app, deps);
  registerFlavorRoutes(router);
  registerFlavorExtraSpecRoutes(router);
  registerFlavorAccessRoutes(router);
  registerKeypairRoutes(router);
  registerAvailabilityZoneRoutes(router);
  registerQuotaRoutes(router);
  registerServiceRoutes(router);
  registerHypervisorRoutes(router);
  registerServerCreateRoutes(router);
  registerServerRoutes(router);
  registerServerActionRoutes(router, {
    ...SERVER_LOCK_ACTIONS, ...SERVER_REBUILD_ACTIONS, ...SERVER_IMAGE_ACTIONS, ...SERVER_SECURITY_GROUP_ACTIONS, ...SERVER_CONSOLE_ACTIONS, ...SERVER_MOVE_ACTIONS, ...SERVER_EVACUATE_ACTIONS,
    ...SERVER_RESCUE_ACTIONS, ...SERVER_PASSWORD_ACTIONS, ...SERVER_SHELVE_ACTIONS,
    ...SERVER_RESET_STATE_ACTIONS, ...SERVER_BACKUP_ACTIONS, ...SERVER_FLOATING_IP_ACTIONS, ...SERVER_FIXED_IP_ACTIONS,
  });
  registerSecurityGroupRoutes(router);
  registerSecurityGroupRuleRoutes(router);
  registerFloatingIpRoutes(router);
  registerFloatingIpPoolRoutes(router);
  registerTenantUsageRoutes(router);
  registerMigrationRoutes(router);
  registerImageRoutes(router);
  registerImageMetadataRoutes(router);
  registerServerMetadataRoutes(router);
  registerServerIpsRoutes(router);
  registerServerInterfaceRoutes(router);
  registerServerPasswordRoutes(router);
  registerInstanceActionRoutes(router);
  registerExternalEventRoutes(router);
  registerServerTagRoutes(router);
  registerAggregateRoutes(router);
  registerServerGroupRoutes(router);
  registerRemoteConsoleRoutes(router);
  registerServerDiagnosticsRoutes(router);
  registerHostRoutes(router);
  registerInstanceUsageAuditLogRoutes(router);
  registerNetworkRoutes(router);
  return router;
}

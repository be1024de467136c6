// Every network route module, registered in one place.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerVersionRoutes } from './version-routes.js';
import { registerNetworkResourceRoutes } from './network-routes.js';
import { registerSegmentRoutes } from './segment-routes.js';
import { registerRbacRoutes } from './rbac-routes.js';
import { registerAgentRoutes } from './agent-routes.js';
import { registerAgentSchedulerRoutes } from './agent-scheduler-routes.js';
import { registerAvailabilityZoneRoutes } from './availability-zone-routes.js';
import { registerSubnetRoutes } from './subnet-routes.js';
import { registerSubnetPoolRoutes } from './subnetpool-routes.js';
import { registerAddressScopeRoutes } from './address-scope-routes.js';
import { registerIpAvailabilityRoutes } from './ip-availability-routes.js';
import { registerPortRoutes } from './port-routes.js';
import { registerRouterRoutes } from './router-routes.js';
import { registerFloatingIpRoutes } from './floatingip-routes.js';
import { registerPortForwardingRoutes } from './port-forwarding-routes.js';
import { registerSecurityGroupRoutes } from './security-group-routes.js';
import { registerAddressGroupRoutes } from './address-group-routes.js';
import { registerQuotaRoutes } from './quota-routes.js';
import { registerTagRoutes } from './tag-routes.js';
import { registerExtensionRoutes } from './extension-routes.js';

export function registerNetworkRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerVersionRoutes(app);
  registerNetworkResourceRoutes(app, deps);
  registerSegmentRoutes(app, deps);
  registerRbacRoutes(app, deps);
  registerAgentRoutes(app, deps);
  registerAgentSchedulerRoutes(app, deps);
  registerAvailabilityZoneRoutes(app, deps);
  registerSubnetRoutes(app, deps);
  registerSubnetPoolRoutes(app, deps);
  registerAddressScopeRoutes(app, deps);
  registerIpAvailabilityRoutes(app, deps);
  registerPortRoutes(app, deps);
  registerRouterRoutes(app, deps);
  registerFloatingIpRoutes(app, deps);
  registerPortForwardingRoutes(app, deps);
  registerSecurityGroupRoutes(app, deps);
  registerAddressGroupRoutes(app, deps);
  registerQuotaRoutes(app, deps);
  registerTagRoutes(app, deps);
  registerExtensionRoutes(app, deps);
}

// The catalog (regions, services, endpoints, endpoint groups), credentials of every kind
// (application credentials, access rules, stored and EC2 credentials, OAuth1 consumers),
// the deprecated policy store and trusts, registered together.
import type { FastifyInstance } from 'fastify';
import { registerAccessRuleRoutes } from './access-rule-routes.js';
import { registerApplicationCredentialRoutes } from './application-credential-routes.js';
import { registerConsumerRoutes } from './consumer-routes.js';
import { registerCredentialRoutes } from './credential-routes.js';
import type { IdentityDeps } from './deps.js';
import { registerEc2CredentialRoutes } from './ec2-credential-routes.js';
import { registerEndpointFilterRoutes } from './endpoint-filter-routes.js';
import { registerEndpointGroupRoutes } from './endpoint-group-routes.js';
import { registerEndpointRoutes } from './endpoint-routes.js';
import { registerPolicyRoutes } from './policy-routes.js';
import { registerRegionRoutes } from './region-routes.js';
import { registerServiceRoutes } from './service-routes.js';
import { registerTrustRoutes } from './trust-routes.js';

export function registerCatalogAndCredentialRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  registerRegionRoutes(app, deps);
  registerServiceRoutes(app, deps);
  registerEndpointRoutes(app, deps);
  registerEndpointGroupRoutes(app, deps);
  registerEndpointFilterRoutes(app, deps);
  registerApplicationCredentialRoutes(app, deps);
  registerAccessRuleRoutes(app, deps);
  registerCredentialRoutes(app, deps);
  registerEc2CredentialRoutes(app, deps);
  registerPolicyRoutes(app, deps);
  registerConsumerRoutes(app, deps);
  registerTrustRoutes(app, deps);
}

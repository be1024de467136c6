// Every identity route module, registered in one place.
import type { FastifyInstance } from 'fastify';
import type { IdentityDeps } from './deps.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerUserRoutes } from './user-routes.js';
import { registerVersionRoutes } from './version-routes.js';
import { registerResourceRoutes } from './resource-routes.js';
import { registerAssignmentRoutes } from './assignment-routes.js';
import { registerCatalogAndCredentialRoutes } from './catalog-credential-routes.js';

export function registerIdentityRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  registerVersionRoutes(app);
  registerAuthRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerResourceRoutes(app, deps);
  registerAssignmentRoutes(app, deps);
  registerCatalogAndCredentialRoutes(app, deps);
}

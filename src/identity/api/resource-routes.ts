// Keystone's resource API: domains, projects, project tags and domain-specific configuration.
import type { FastifyInstance } from 'fastify';
import type { IdentityDeps } from './deps.js';
import { registerDomainConfigRoutes } from './domain-config-routes.js';
import { registerDomainRoutes } from './domain-routes.js';
import { registerProjectListRoutes } from './project-list-routes.js';
import { registerProjectRoutes } from './project-routes.js';
import { registerProjectTagRoutes } from './project-tag-routes.js';

export function registerResourceRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  registerDomainRoutes(app, deps);
  registerDomainConfigRoutes(app, deps);
  registerProjectRoutes(app, deps);
  registerProjectListRoutes(app, deps);
  registerProjectTagRoutes(app, deps);
}

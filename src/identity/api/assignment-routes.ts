// Groups, roles, role inference, grants and role assignments: registered together.
import type { FastifyInstance } from 'fastify';
import type { IdentityDeps } from './deps.js';
import { registerGrantRoutes } from './grant-routes.js';
import { registerGroupMemberRoutes } from './group-member-routes.js';
import { registerGroupRoutes } from './group-routes.js';
import { registerImpliedRoleRoutes } from './implied-role-routes.js';
import { registerRoleAssignmentRoutes } from './role-assignment-routes.js';
import { registerRoleRoutes } from './role-routes.js';

export function registerAssignmentRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  registerGroupRoutes(app, deps);
  registerGroupMemberRoutes(app, deps);
  registerRoleRoutes(app, deps);
  registerImpliedRoleRoutes(app, deps);
  registerGrantRoutes(app, deps);
  registerRoleAssignmentRoutes(app, deps);
}

// Every image route module, registered in one place.
import type { FastifyInstance } from 'fastify';
import type { ImageDeps } from './deps.js';
import { registerDataRoutes } from './data-routes.js';
import { registerImageExtraRoutes } from './image-extra-routes.js';
import { registerImageRoutes as registerImageResourceRoutes } from './image-routes.js';
import { registerInfoRoutes } from './info-routes.js';
import { registerMemberRoutes } from './member-routes.js';
import { registerMetadefNamespaceRoutes } from './metadef-namespace-routes.js';
import { registerMetadefPartRoutes } from './metadef-part-routes.js';
import { registerSchemaRoutes } from './schema-routes.js';
import { registerVersionRoutes } from './version-routes.js';

export function registerImageRoutes(app: FastifyInstance, deps: ImageDeps): void {
  registerVersionRoutes(app);
  registerSchemaRoutes(app);
  registerInfoRoutes(app, deps);
  registerImageResourceRoutes(app, deps);
  registerImageExtraRoutes(app, deps);
  registerMemberRoutes(app, deps);
  registerDataRoutes(app, deps);
  registerMetadefNamespaceRoutes(app, deps);
  registerMetadefPartRoutes(app, deps);
}

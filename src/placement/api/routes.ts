// Every placement route module, registered in one place.
import type { FastifyInstance } from 'fastify';
import type { PlacementDeps } from './deps.js';
import { registerAggregateRoutes } from './aggregate-routes.js';
import { registerAllocationRoutes } from './allocation-routes.js';
import { registerCandidateRoutes } from './candidate-routes.js';
import { registerInventoryRoutes } from './inventory-routes.js';
import { registerResourceClassRoutes } from './resource-class-routes.js';
import { registerResourceProviderRoutes } from './resource-provider-routes.js';
import { registerReshaperRoutes } from './reshaper-routes.js';
import { registerRootRoutes } from './root-routes.js';
import { registerTraitRoutes } from './trait-routes.js';
import { registerUsageRoutes } from './usage-routes.js';

export function registerPlacementRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  registerRootRoutes(app, deps);
  registerResourceProviderRoutes(app, deps);
  registerInventoryRoutes(app, deps);
  registerAggregateRoutes(app, deps);
  registerTraitRoutes(app, deps);
  registerUsageRoutes(app, deps);
  registerAllocationRoutes(app, deps);
  registerResourceClassRoutes(app, deps);
  registerCandidateRoutes(app, deps);
  registerReshaperRoutes(app, deps);
}

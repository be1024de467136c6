// /v2.0/routers: the router resource plus its member actions (add/remove_router_interface,
// add/remove_extraroutes), which are PUTs on the router's URL as in Neutron.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { callerFor, registerResource } from './resource-routes.js';
import { createRouter, deleteRouter, listRouters, showRouter, updateRouter } from '../domain/l3/router-ops.js';
import { addRouterInterface } from '../domain/l3/interfaces.js';
import { removeRouterInterface } from '../domain/l3/interface-removal.js';
import { changeExtraRoutes } from '../domain/l3/extraroute-actions.js';

export function registerRouterRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'router',
    collection: 'routers',
    create: (d, caller, body) => createRouter(d, caller, body),
    undoCreate: (d, caller, created) => deleteRouter(d, caller, created.id as string, undefined),
    list: (d, caller, query) => listRouters(d, caller, query),
    show: (d, caller, id) => showRouter(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updateRouter(d, caller, id, body, ifMatch),
    remove: (d, caller, id, ifMatch) => deleteRouter(d, caller, id, ifMatch),
  });

  app.put('/v2.0/routers/:id/add_router_interface', async (request) =>
    addRouterInterface(deps, await callerFor(deps, request), (request.params as { id: string }).id, request.body));
  app.put('/v2.0/routers/:id/remove_router_interface', async (request) =>
    removeRouterInterface(deps, await callerFor(deps, request), (request.params as { id: string }).id, request.body));
  app.put('/v2.0/routers/:id/add_extraroutes', async (request) =>
    changeExtraRoutes(deps, await callerFor(deps, request), (request.params as { id: string }).id, request.body, 'add_extraroutes'));
  app.put('/v2.0/routers/:id/remove_extraroutes', async (request) =>
    changeExtraRoutes(deps, await callerFor(deps, request), (request.params as { id: string }).id, request.body, 'remove_extraroutes'));
}

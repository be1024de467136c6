// /v2.0/subnetpools and its add_prefixes / remove_prefixes member actions.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { callerFor, registerResource } from './resource-routes.js';
import { changePrefixes, createPool, deletePool, updatePool } from '../domain/subnets/subnetpool-ops.js';
import { listPools, showPool } from '../domain/subnets/subnetpool-list.js';

export function registerSubnetPoolRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'subnetpool',
    collection: 'subnetpools',
    create: (d, caller, body) => createPool(d, caller, body),
    undoCreate: async (d, caller, created) => { await deletePool(d, caller, String(created.id), undefined); },
    list: (d, caller) => listPools(d, caller),
    show: (d, caller, id) => showPool(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updatePool(d, caller, id, body, ifMatch),
    remove: (d, caller, id, ifMatch) => deletePool(d, caller, id, ifMatch),
  });
  for (const op of ['add_prefixes', 'remove_prefixes'] as const) {
    app.put(`/v2.0/subnetpools/:id/${op}`, async (request) => {
      const caller = await callerFor(deps, request);
      return changePrefixes(deps, caller, (request.params as { id: string }).id, request.body, op);
    });
  }
}

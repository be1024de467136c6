// /v2.0/address-scopes: Neutron's address scope resource.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { createScope, deleteScope, listScopes, showScope, updateScope } from '../domain/subnets/address-scopes.js';

export function registerAddressScopeRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'address_scope',
    collection: 'address_scopes',
    path: 'address-scopes',
    create: (d, caller, body) => createScope(d, caller, body),
    undoCreate: async (d, caller, created) => { await deleteScope(d, caller, String(created.id), undefined); },
    list: (d, caller) => listScopes(d, caller),
    show: (d, caller, id) => showScope(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updateScope(d, caller, id, body, ifMatch),
    remove: (d, caller, id, ifMatch) => deleteScope(d, caller, id, ifMatch),
  });
}

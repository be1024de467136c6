// /v2.0/rbac-policies: grants sharing networks and other objects between projects.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { createRbacPolicy, deleteRbacPolicy, listRbacPolicies, showRbacPolicy, updateRbacPolicy } from '../domain/rbac/policies.js';

export function registerRbacRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'rbac_policy',
    collection: 'rbac_policies',
    path: 'rbac-policies',
    create: (d, caller, body) => createRbacPolicy(d, caller, body),
    undoCreate: async (d, caller, created) => { await deleteRbacPolicy(d, caller, String(created.id)); },
    list: (d, caller) => listRbacPolicies(d, caller),
    show: (d, caller, id) => showRbacPolicy(d, caller, id),
    update: (d, caller, id, body) => updateRbacPolicy(d, caller, id, body),
    remove: (d, caller, id) => deleteRbacPolicy(d, caller, id),
  });
}

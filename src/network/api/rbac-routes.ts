// /v2.0/rbac-policies: grants sharing networks and other objects between projects.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { bulkCreateRevisingNetworks } from '../domain/networks/revision.js';
import { createRbacPolicy, deleteRbacPolicy, listRbacPolicies, showRbacPolicy, updateRbacPolicy } from '../domain/rbac/policies.js';

export function registerRbacRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'rbac_policy',
    collection: 'rbac_policies',
    path: 'rbac-policies',
    // Emulated bulk that also puts back the revisions of the networks the grants revised.
    createAll: (d, caller, bodies) => bulkCreateRevisingNetworks(d.db, bodies, (b) => (b.object_type === 'network' ? b.object_id : undefined),
      (body) => createRbacPolicy(d, caller, body), (done) => deleteRbacPolicy(d, caller, String(done.id))),
    list: (d, caller) => listRbacPolicies(d, caller),
    show: (d, caller, id) => showRbacPolicy(d, caller, id),
    update: (d, caller, id, body) => updateRbacPolicy(d, caller, id, body),
    remove: (d, caller, id) => deleteRbacPolicy(d, caller, id),
  });
}

// /v2.0/subnets: Neutron's subnet resource (with the subnetpool, service-types, segment and
// dns-publish extensions). The domain lives in domain/subnets/.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { createSubnet } from '../domain/subnets/create-subnet.js';
import { deleteSubnet } from '../domain/subnets/delete-subnet.js';
import { listSubnets, showSubnet } from '../domain/subnets/list-subnets.js';
import { updateSubnet } from '../domain/subnets/update-subnet.js';

export function registerSubnetRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'subnet',
    collection: 'subnets',
    create: (d, caller, body) => createSubnet(d, caller, body),
    // Emulated bulk: later items failed, so the earlier subnets go again (as admin would).
    undoCreate: async (d, caller, created) => { await deleteSubnet(d, caller, String(created.id), undefined); },
    list: (d, caller, query) => listSubnets(d, caller, query),
    show: (d, caller, id) => showSubnet(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updateSubnet(d, caller, id, body, ifMatch),
    remove: (d, caller, id, ifMatch) => deleteSubnet(d, caller, id, ifMatch),
  });
}

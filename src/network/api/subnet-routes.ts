// /v2.0/subnets: Neutron's subnet resource (with the subnetpool, service-types, segment and
// dns-publish extensions). The domain lives in domain/subnets/.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { createSubnets } from '../domain/subnets/create-bulk.js';
import { deleteSubnet } from '../domain/subnets/delete-subnet.js';
import { listSubnets, showSubnet } from '../domain/subnets/list-subnets.js';
import { updateSubnet } from '../domain/subnets/update-subnet.js';
import { networkVisibility, type NetworkVisibility } from '../domain/networks/access.js';
import { queryValues, type Item, type Query } from './list.js';

/**
 * `?shared=`: subnets have no `shared` attribute of their own; Neutron filters them by their
 * network's sharing as the caller sees it (an access_as_shared grant to '*' or the caller).
 */
function filterShared(items: Item[], vis: NetworkVisibility, query: Query): Item[] {
  const wanted = queryValues(query, 'shared').map((v) => v.toLowerCase()).map((v) => v === 'true' || v === '1');
  return items.filter((item) => wanted.includes(vis.sharedIds.has(String(item.network_id))));
}

export function registerSubnetRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'subnet',
    collection: 'subnets',
    createAll: (d, caller, bodies) => createSubnets(d, caller, bodies),
    list: async (d, caller, query) => {
      const items = await listSubnets(d, caller, query);
      return queryValues(query, 'shared').length === 0 ? items : filterShared(items, await networkVisibility(d.db, caller), query);
    },
    show: (d, caller, id) => showSubnet(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updateSubnet(d, caller, id, body, ifMatch),
    remove: (d, caller, id, ifMatch) => deleteSubnet(d, caller, id, ifMatch),
  });
}

// /v2.0/networks: Neutron's network resource with the provider, multi-provider, external-net,
// port-security, MTU, DNS-domain and availability-zone extensions.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { createNetwork } from '../domain/networks/create.js';
import { deleteNetwork } from '../domain/networks/delete.js';
import { listNetworks, showNetwork } from '../domain/networks/list.js';
import { updateNetwork } from '../domain/networks/update.js';

export function registerNetworkResourceRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'network',
    collection: 'networks',
    create: (d, caller, body) => createNetwork(d, caller, body),
    // Emulated bulk: a later item failed, so the earlier ones go again.
    undoCreate: async (d, caller, created) => { await deleteNetwork(d, caller, String(created.id), undefined); },
    list: (d, caller, query) => listNetworks(d, caller, query),
    show: (d, caller, id) => showNetwork(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updateNetwork(d, caller, id, body, ifMatch),
    remove: (d, caller, id, ifMatch) => deleteNetwork(d, caller, id, ifMatch),
  });
}

// /v2.0/floatingips: floating IPs on router:external networks.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { createFloatingIp, deleteFloatingIp, listFloatingIps, showFloatingIp, updateFloatingIp } from '../domain/l3/floatingip-ops.js';

export function registerFloatingIpRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'floatingip',
    collection: 'floatingips',
    create: (d, caller, body) => createFloatingIp(d, caller, body),
    undoCreate: (d, caller, created) => deleteFloatingIp(d, caller, created.id as string, undefined),
    list: (d, caller, query) => listFloatingIps(d, caller, query),
    show: (d, caller, id) => showFloatingIp(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updateFloatingIp(d, caller, id, body, ifMatch),
    remove: (d, caller, id, ifMatch) => deleteFloatingIp(d, caller, id, ifMatch),
  });
}

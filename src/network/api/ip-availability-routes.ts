// /v2.0/network-ip-availabilities: admin-only address usage per network and subnet.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { listIpAvailability, showIpAvailability } from '../domain/subnets/ip-availability.js';

export function registerIpAvailabilityRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'network_ip_availability',
    collection: 'network_ip_availabilities',
    path: 'network-ip-availabilities',
    list: (d, caller, query) => listIpAvailability(d, caller, query),
    show: (d, caller, id) => showIpAvailability(d, caller, id),
    customFilters: {
      // Applied to subnets in SQL already; every network in the answer passes.
      ip_version: () => true,
    },
  });
}

// GET / (the API versions) and GET /v2.0 (the resource collections), as neutron-server answers.
import type { FastifyInstance } from 'fastify';
import { baseUrl } from '../../core/http/server.js';

/** Top-level collections listed by GET /v2.0. */
const COLLECTIONS: readonly [string, string][] = [
  ['subnet', 'subnets'], ['subnetpool', 'subnetpools'], ['network', 'networks'], ['port', 'ports'],
  ['router', 'routers'], ['floatingip', 'floatingips'], ['security_group', 'security-groups'],
  ['security_group_rule', 'security-group-rules'], ['address_scope', 'address-scopes'], ['segment', 'segments'],
  ['rbac_policy', 'rbac-policies'], ['quota', 'quotas'], ['agent', 'agents'], ['availability_zone', 'availability_zones'],
  ['network_ip_availability', 'network-ip-availabilities'], ['address_group', 'address-groups'],
];

export function registerVersionRoutes(app: FastifyInstance): void {
  app.get('/', async (request) => ({
    versions: [{ status: 'CURRENT', id: 'v2.0', links: [{ href: `${baseUrl(request)}/v2.0/`, rel: 'self' }] }],
  }));
  app.get('/v2.0', async (request) => ({
    resources: COLLECTIONS.map(([name, collection]) => ({
      name, collection, links: [{ href: `${baseUrl(request)}/v2.0/${collection}`, rel: 'self' }],
    })),
  }));
}

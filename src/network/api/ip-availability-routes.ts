// /v2.0/network-ip-availabilities: admin-only address usage per network and subnet. Not through
// registerResource: total_ips are BigInts (an IPv6 /64 holds 2**64 - 2 addresses), which must
// reach the client as exact JSON integers, so these two GETs write their own JSON text.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { baseUrl } from '../../core/http/server.js';
import { callerFor } from './resource-routes.js';
import { listBody, selectFields, type Query } from './list.js';
import { sendBigJson } from './big-json.js';
import { listIpAvailability, showIpAvailability } from '../domain/subnets/ip-availability.js';

const base = '/v2.0/network-ip-availabilities';

export function registerIpAvailabilityRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  app.get(base, async (request, reply) => {
    const caller = await callerFor(deps, request);
    const query = request.query as Query;
    const items = await listIpAvailability(deps, caller, query);
    const url = `${baseUrl(request)}${request.url.split('?')[0]}`;
    // ip_version is applied to subnets in SQL already; every network in the answer passes.
    const body = listBody('network_ip_availabilities', items, query, { baseUrl: url, custom: { ip_version: () => true } });
    return sendBigJson(reply, body);
  });
  app.get(`${base}/:id`, async (request, reply) => {
    const caller = await callerFor(deps, request);
    const item = await showIpAvailability(deps, caller, (request.params as { id: string }).id);
    return sendBigJson(reply, { network_ip_availability: selectFields(item, request.query as Query) });
  });
}

// /v2.0/availability_zones: the zones agents report, per resource (network, router).
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { listZones } from '../domain/agents/zones.js';
import { allowed } from '../domain/policy.js';

export function registerAvailabilityZoneRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'availability_zone',
    collection: 'availability_zones',
    async list(d, caller) {
      if (!allowed(d, caller, 'get_availability_zone', { project_id: caller.projectId, tenant_id: caller.projectId })) return [];
      const zones = await listZones(d.db, d.config.network.agentDownTimeSeconds, d.config.network.defaultAvailabilityZones);
      return zones.map((z) => ({ ...z }));
    },
  });
}

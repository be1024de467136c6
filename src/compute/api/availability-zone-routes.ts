// Availability zones (nova/api/openstack/compute/availability_zone.py):
//   GET /os-availability-zone        every caller: zones with their state, `hosts` null, the
//                                    internal zone left out;
//   GET /os-availability-zone/detail admins: also each zone's hosts and their services (API
//                                    services left out), with liveness and last update.
import { API_SERVICE_BINARIES, serviceIsUp, splitZones, zonedServices } from '../domain/availability-zones.js';
import { enforce } from '../domain/policy.js';
import { novaDateTime } from './render.js';
import type { ComputeRouter } from './router.js';

export function registerAvailabilityZoneRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-availability-zone', {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-availability-zone:list', { project_id: ctx.caller.projectId });
      const { available, notAvailable } = splitZones(await zonedServices(ctx.deps.db, ctx.deps.compute));
      const internal = ctx.deps.compute.internalAvailabilityZone;
      const zone = (name: string, up: boolean) => ({ zoneName: name, zoneState: { available: up }, hosts: null });
      return {
        availabilityZoneInfo: [
          ...available.filter((z) => z !== internal).map((z) => zone(z, true)),
          ...notAvailable.filter((z) => z !== internal).map((z) => zone(z, false)),
        ],
      };
    },
  });

  router.route('GET', '/os-availability-zone/detail', {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-availability-zone:detail', { project_id: ctx.caller.projectId });
      const services = await zonedServices(ctx.deps.db, ctx.deps.compute);
      const { available, notAvailable } = splitZones(services);
      const now = Date.now();
      const info: Record<string, unknown>[] = available.map((zoneName) => {
        const hosts: Record<string, Record<string, unknown>> = {};
        for (const s of services) {
          if (s.disabled || s.availability_zone !== zoneName || API_SERVICE_BINARIES.includes(s.binary)) continue;
          hosts[s.host] ??= {};
          hosts[s.host]![s.binary] = {
            available: serviceIsUp(s, ctx.deps.compute, now),
            active: !s.disabled,
            updated_at: novaDateTime(s.updated_at),
          };
        }
        return { zoneName, zoneState: { available: true }, hosts };
      });
      for (const zoneName of notAvailable) info.push({ zoneName, zoneState: { available: false }, hosts: null });
      return { availabilityZoneInfo: info };
    },
  });
}

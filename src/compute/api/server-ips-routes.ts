// A server's IPs by network (nova/api/openstack/compute/ips.py): GET /servers/{id}/ips and
// /servers/{id}/ips/{network_label}, from the info cache, without the extended (type, MAC)
// fields the server view shows.
import { ApiError } from '../../core/errors.js';
import { enforce } from '../domain/policy.js';
import { visibleInstance } from '../domain/servers/lookup.js';
import { parseNetworkInfo } from '../rpc/vif-info.js';
import { renderAddresses, type AddressesView } from './server-addresses.js';
import type { ComputeRouter, Ctx } from './router.js';

async function addressesOf(ctx: Ctx, action: 'index' | 'show'): Promise<AddressesView> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, `os_compute_api:ips:${action}`, { project_id: row.project_id });
  const cache = await ctx.deps.db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', row.uuid).executeTakeFirst();
  return renderAddresses(parseNetworkInfo(cache?.network_info), ctx.mv, { extended: false });
}

export function registerServerIpsRoutes(router: ComputeRouter): void {
  router.route('GET', '/servers/:server_id/ips', {
    handler: async (ctx) => ({ addresses: await addressesOf(ctx, 'index') }),
  });

  router.route('GET', '/servers/:server_id/ips/:network_label', {
    handler: async (ctx) => {
      const addresses = await addressesOf(ctx, 'show');
      const label = ctx.params.network_label!;
      if (!Object.hasOwn(addresses, label)) throw new ApiError(404, 'Instance is not a member of specified network');
      return { [label]: addresses[label] };
    },
  });
}

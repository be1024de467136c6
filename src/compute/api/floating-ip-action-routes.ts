// The addFloatingIp / removeFloatingIp server actions (FloatingIPActionController in
// nova/api/openstack/compute/floating_ips.py, up to 2.43): a floating IP of the caller's associated
// with one of the server's fixed addresses (the first IPv4 in the server's NIC order unless one is
// named; one associated elsewhere moves here, as Neutron allows), or dissociated from it (409 when
// it is not on this server). The servers involved get their info cache refreshed.
import { isIP } from 'node:net';
import { ApiError, badRequest, forbidden } from '../../core/errors.js';
import { isServiceApiError, type FloatingIp, type NetworkClient, type Port } from '../../core/clients/index.js';
import type { InstanceRow } from '../db/schema.js';
import { enforce, ownTarget } from '../domain/policy.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import { parseNetworkInfo } from '../rpc/vif-info.js';
import { fipServer } from './floating-ip-routes.js';
import { network, NETWORK_ACTION_MAX, networkUnavailable, refreshServerNetworkCache } from './network-proxy.js';
import type { Ctx, Endpoint } from './router.js';
import { ipAddress } from './server-create-schema.js';
import { validateBody, type Schema } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-floating-ips:${action}`;

const actionSchema = (action: string, optional: readonly string[] = []): Schema => ({
  type: 'object',
  properties: {
    [action]: {
      type: 'object',
      properties: Object.fromEntries(['address', ...optional].map((f) => [f, ipAddress(f)])),
      required: ['address'],
      additionalProperties: false,
    },
  },
  required: [action],
  additionalProperties: false,
});

/** _get_floating_ip_by_address: exactly one of the caller's floating IPs has the address. */
async function byAddress(net: NetworkClient, address: string, notFound: () => Error): Promise<FloatingIp> {
  const fips = await net.listFloatingIps({ floating_ip_address: address }).catch((err: unknown) => { throw networkUnavailable(err); });
  if (fips.length > 1) throw new ApiError(409, `Multiple floating IPs are found for address ${address}.`, 'FloatingIpMultipleFoundForAddress');
  if (fips[0] === undefined) throw notFound();
  return fips[0];
}

/** The server's ports in its NIC order (the info cache's), new ones last. */
async function portsInNicOrder(ctx: Ctx, net: NetworkClient, row: InstanceRow): Promise<Port[]> {
  const cache = await ctx.deps.db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', row.uuid).executeTakeFirst();
  const order = new Map(parseNetworkInfo(cache?.network_info).map((v, i) => [v.id, i]));
  const ports = await net.listPortsByDevice(row.uuid).catch((err: unknown) => { throw networkUnavailable(err); });
  return ports.sort((a, b) => (order.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.id) ?? Number.MAX_SAFE_INTEGER));
}

/** The fixed address to associate with and the port holding it (Nova's checks, in its order). */
function chooseFixedIp(ports: readonly Port[], address: string, wanted: string | undefined, uuid: string): { port: Port; fixed: string } {
  const fixed = ports.flatMap((port) => port.fixed_ips.map((ip) => ({ port, fixed: ip.ip_address })));
  if (fixed.length === 0) throw badRequest('No fixed IPs associated to instance');
  if (wanted !== undefined) {
    const match = fixed.find((f) => f.fixed === wanted);
    if (match === undefined) throw badRequest('Specified fixed address not assigned to instance');
    return match;
  }
  const v4 = fixed.find((f) => isIP(f.fixed) === 4);
  if (v4 === undefined) {
    throw badRequest(`Unable to associate floating IP ${address} to any fixed IPs for instance ${uuid}. Instance has no fixed IPv4 addresses to associate.`);
  }
  return v4;
}

async function addFloatingIp(ctx: Ctx): Promise<void> {
  const body = validateBody<{ addFloatingIp: { address: string; fixed_address?: string } }>(ctx.body, actionSchema('addFloatingIp', ['fixed_address'])).addFloatingIp;
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, RULE('add'), instanceTarget(row));
  const net = network(ctx);
  const { port, fixed } = chooseFixedIp(await portsInNicOrder(ctx, net, row), body.address, body.fixed_address, row.uuid);
  const fip = await byAddress(net, body.address, () => new ApiError(404, 'floating IP not found', 'FloatingIpNotFoundForAddress'));
  const previous = fipServer(fip);
  await net.updateFloatingIp(fip.id, port.id, fixed).catch((err: unknown) => {
    if (isServiceApiError(err, 409)) throw badRequest(err.detail ?? err.message, 'FloatingIpAssociateFailed');
    if (isServiceApiError(err, 403)) throw forbidden(err.detail);
    if (isServiceApiError(err)) {
      throw badRequest(`Unable to associate floating IP ${body.address} to fixed IP ${fixed} for instance ${row.uuid}. Error: ${err.detail ?? err.message}`);
    }
    throw networkUnavailable(err);
  });
  await refreshServerNetworkCache(ctx, row.uuid);
  if (previous !== null && previous !== row.uuid) await refreshServerNetworkCache(ctx, previous);
}

async function removeFloatingIp(ctx: Ctx): Promise<void> {
  const { address } = validateBody<{ removeFloatingIp: { address: string } }>(ctx.body, actionSchema('removeFloatingIp')).removeFloatingIp;
  const serverId = ctx.params.server_id!;
  const net = network(ctx);
  const fip = await byAddress(net, address, () => new ApiError(404, `Floating IP not found for address ${address}.`, 'FloatingIpNotFoundForAddress'));
  const holder = fipServer(fip);
  const row = holder === null ? undefined : await visibleInstance(ctx.deps.db, ctx.caller, holder);
  enforce(ctx.deps.policy, ctx.caller, RULE('remove'), row ? instanceTarget(row) : ownTarget(ctx.caller));
  if (row?.uuid !== serverId) {
    throw new ApiError(409, `Floating IP ${address} is not associated with instance ${serverId}.`, 'FloatingIpNotAssociated');
  }
  await net.updateFloatingIp(fip.id, null).catch((err: unknown) => {
    throw isServiceApiError(err, 403) ? forbidden(err.detail) : networkUnavailable(err);
  });
  await refreshServerNetworkCache(ctx, row.uuid);
}

export const SERVER_FLOATING_IP_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  addFloatingIp: [{ max: NETWORK_ACTION_MAX, status: 202, handler: addFloatingIp }],
  removeFloatingIp: [{ max: NETWORK_ACTION_MAX, status: 202, handler: removeFloatingIp }],
};

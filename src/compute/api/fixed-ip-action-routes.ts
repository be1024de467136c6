// The addFixedIp / removeFixedIp server actions (nova/api/openstack/compute/multinic.py, up to
// 2.43), as Nova's Neutron driver does them (add_fixed_ip_to_instance /
// remove_fixed_ip_from_instance): one more address from a subnet of the network on the server's
// port there, or the address taken off the port holding it; then the info cache refreshed so the
// server's addresses show it. Nova casts this to the compute host and answers 202 at once; here
// the network service is asked straight away (with the caller's token, as Nova's manager does),
// so what Nova could only log is a 400 the caller sees.
import { ApiError, badRequest } from '../../core/errors.js';
import { isServiceApiError, type NetworkClient, type Port } from '../../core/clients/index.js';
import type { InstanceRow } from '../db/schema.js';
import { enforce } from '../domain/policy.js';
import { checkNotLocked, instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import { network, NETWORK_ACTION_MAX, networkUnavailable, refreshServerNetworkCache } from './network-proxy.js';
import type { Ctx, Endpoint } from './router.js';
import { ipAddress } from './server-create-schema.js';
import { validateBody, type Schema } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-multinic:${action}`;

// schemas/multinic.py: networkId is any name-like string (or number), not necessarily a UUID.
const ADD: Schema = {
  type: 'object',
  properties: {
    addFixedIp: {
      type: 'object',
      properties: { networkId: { type: ['string', 'number'], minLength: 1, maxLength: 255, pattern: /^(?! )[a-zA-Z0-9. _-]+(?<! )$/ } },
      required: ['networkId'],
      additionalProperties: false,
    },
  },
  required: ['addFixedIp'],
  additionalProperties: false,
};

const REMOVE: Schema = {
  type: 'object',
  properties: {
    removeFixedIp: { type: 'object', properties: { address: ipAddress('address') }, required: ['address'], additionalProperties: false },
  },
  required: ['removeFixedIp'],
  additionalProperties: false,
};

/** The server, once the caller may change its addresses (policy, then the lock). */
async function changeableServer(ctx: Ctx, action: 'add' | 'remove'): Promise<InstanceRow> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, RULE(action), instanceTarget(row));
  checkNotLocked(ctx.caller, row);
  return row;
}

async function serverPorts(net: NetworkClient, row: InstanceRow, filters: Readonly<Record<string, string>> = {}): Promise<Port[]> {
  return net.listPortsByDevice(row.uuid, filters).catch((err: unknown) => { throw networkUnavailable(err); });
}

const currentFixedIps = (port: Port): { subnet_id: string; ip_address: string }[] =>
  port.fixed_ips.map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address }));

/** add_fixed_ip_to_instance: the first of the server's ports on the network that takes one more address. */
async function addFixedIp(ctx: Ctx): Promise<void> {
  const networkId = String(validateBody<{ addFixedIp: { networkId: string | number } }>(ctx.body, ADD).addFixedIp.networkId);
  const row = await changeableServer(ctx, 'add');
  const net = network(ctx);
  const subnets = await net.listSubnetsByNetwork(networkId).catch((err: unknown) => { throw networkUnavailable(err); });
  const ports = subnets.length === 0 ? [] : await serverPorts(net, row, { network_id: networkId });
  for (const port of ports) {
    for (const subnet of subnets) {
      try {
        await net.updatePort(port.id, { fixed_ips: [...currentFixedIps(port), { subnet_id: subnet.id }] });
        await refreshServerNetworkCache(ctx, row.uuid);
        return;
      } catch (err) {
        // Nova tries the next subnet when the network service refuses (a full subnet, say).
        if (!isServiceApiError(err)) throw networkUnavailable(err);
      }
    }
  }
  throw new ApiError(400, `Network could not be found for instance ${row.uuid}.`, 'NetworkNotFoundForInstance');
}

/** remove_fixed_ip_from_instance: the address taken off the server's port that holds it. */
async function removeFixedIp(ctx: Ctx): Promise<void> {
  const { address } = validateBody<{ removeFixedIp: { address: string } }>(ctx.body, REMOVE).removeFixedIp;
  const row = await changeableServer(ctx, 'remove');
  const net = network(ctx);
  const port = (await serverPorts(net, row)).find((p) => p.fixed_ips.some((ip) => ip.ip_address === address));
  if (port === undefined) throw new ApiError(400, `Instance ${row.uuid} does not have fixed IP '${address}'.`, 'FixedIpNotFoundForInstance');
  await net.updatePort(port.id, { fixed_ips: currentFixedIps(port).filter((ip) => ip.ip_address !== address) }).catch((err: unknown) => {
    throw isServiceApiError(err) && err.status < 500 ? badRequest(err.detail ?? err.message) : networkUnavailable(err);
  });
  await refreshServerNetworkCache(ctx, row.uuid);
}

export const SERVER_FIXED_IP_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  addFixedIp: [{ max: NETWORK_ACTION_MAX, status: 202, handler: addFixedIp }],
  removeFixedIp: [{ max: NETWORK_ACTION_MAX, status: 202, handler: removeFixedIp }],
};

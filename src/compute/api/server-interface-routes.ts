// A server's network interfaces (nova/api/openstack/compute/attach_interfaces.py): GET
// /servers/{id}/os-interface and /os-interface/{port_id} from the ports the network service holds
// for the server (asked with the caller's token, as Nova asks Neutron in the caller's context);
// POST attaches (200 with the attachment, as GET shows it), DELETE detaches (202) — the rules
// and the host's part are in domain/servers/interfaces.ts.
import { ApiError } from '../../core/errors.js';
import type { Port } from '../../core/clients/index.js';
import type { Microversion } from './microversion.js';
import { enforce } from '../domain/policy.js';
import { attachInterface, detachInterface } from '../domain/servers/interfaces.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import type { ComputeRouter, Ctx } from './router.js';
import { ipAddress, tagType, uuidOf } from './server-create-schema.js';
import { validateBody, type Schema } from './validation.js';

function renderInterface(port: Port, ctx: Ctx): Record<string, unknown> {
  return {
    port_state: port.status,
    fixed_ips: port.fixed_ips.map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
    port_id: port.id,
    net_id: port.network_id,
    mac_addr: port.mac_address,
    // 2.70: the device tag (Nova keeps it on the virtual interface; we have none yet).
    ...(ctx.mv.atLeast('2.70') ? { tag: null } : {}),
  };
}

async function serverPorts(ctx: Ctx, action: 'list' | 'show'): Promise<Port[]> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, `os_compute_api:os-attach-interfaces:${action}`, { project_id: row.project_id });
  return ctx.deps.clients.networkAs(ctx.caller.auth.token, ctx.caller.requestId).listPortsByDevice(row.uuid);
}

/** schemas/attach_interfaces.py create (tag from 2.49); the attachment itself is optional, as in Nova. */
function attachSchema(mv: Microversion): Schema {
  return {
    type: 'object',
    properties: {
      interfaceAttachment: {
        type: 'object',
        properties: {
          net_id: uuidOf('net_id'),
          port_id: uuidOf('port_id'),
          fixed_ips: {
            type: 'array', minItems: 1, maxItems: 1,
            items: { type: 'object', properties: { ip_address: ipAddress('ip_address') }, required: ['ip_address'], additionalProperties: false },
          },
          ...(mv.atLeast('2.49') ? { tag: tagType } : {}),
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  };
}

interface AttachBody { net_id?: string; port_id?: string; fixed_ips?: { ip_address: string }[]; tag?: string }

async function attach(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ interfaceAttachment?: AttachBody }>(ctx.body, attachSchema(ctx.mv)).interfaceAttachment ?? {};
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-attach-interfaces:create', instanceTarget(row));
  const fixedIp = body.fixed_ips?.[0]?.ip_address;
  const portId = await attachInterface(ctx.deps, ctx.caller, ctx.caller.auth.token, row, {
    ...(body.net_id !== undefined ? { netId: body.net_id } : {}),
    ...(body.port_id !== undefined ? { portId: body.port_id } : {}),
    ...(fixedIp !== undefined ? { fixedIp } : {}),
    ...(body.tag !== undefined ? { tag: body.tag } : {}),
  });
  const port = await ctx.deps.clients.networkAs(ctx.caller.auth.token, ctx.caller.requestId).showPort(portId);
  return { interfaceAttachment: renderInterface(port, ctx) };
}

async function detach(ctx: Ctx): Promise<void> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-attach-interfaces:delete', instanceTarget(row));
  await detachInterface(ctx.deps, ctx.caller, row, ctx.params.port_id!);
}

export function registerServerInterfaceRoutes(router: ComputeRouter): void {
  router.route('GET', '/servers/:server_id/os-interface', {
    handler: async (ctx) => ({ interfaceAttachments: (await serverPorts(ctx, 'list')).map((p) => renderInterface(p, ctx)) }),
  });
  router.route('POST', '/servers/:server_id/os-interface', { handler: attach });
  router.route('GET', '/servers/:server_id/os-interface/:port_id', {
    handler: async (ctx) => {
      const port = (await serverPorts(ctx, 'show')).find((p) => p.id === ctx.params.port_id);
      if (!port) throw new ApiError(404, `Port ${ctx.params.port_id} is not attached`, 'PortNotFound');
      return { interfaceAttachment: renderInterface(port, ctx) };
    },
  });
  router.route('DELETE', '/servers/:server_id/os-interface/:port_id', { status: 202, handler: detach });
}

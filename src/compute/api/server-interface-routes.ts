// A server's network interfaces (nova/api/openstack/compute/attach_interfaces.py), read side:
// GET /servers/{id}/os-interface and /os-interface/{port_id}, from the ports the network service
// holds for the server (asked with the caller's token, as Nova asks Neutron in the caller's
// context). Attaching and detaching come with the remaining server actions.
import { ApiError } from '../../core/errors.js';
import type { Port } from '../../core/clients/index.js';
import { enforce } from '../domain/policy.js';
import { visibleInstance } from '../domain/servers/lookup.js';
import type { ComputeRouter, Ctx } from './router.js';

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

export function registerServerInterfaceRoutes(router: ComputeRouter): void {
  router.route('GET', '/servers/:server_id/os-interface', {
    handler: async (ctx) => ({ interfaceAttachments: (await serverPorts(ctx, 'list')).map((p) => renderInterface(p, ctx)) }),
  });
  router.route('GET', '/servers/:server_id/os-interface/:port_id', {
    handler: async (ctx) => {
      const port = (await serverPorts(ctx, 'show')).find((p) => p.id === ctx.params.port_id);
      if (!port) throw new ApiError(404, `Port ${ctx.params.port_id} is not attached`, 'PortNotFound');
      return { interfaceAttachment: renderInterface(port, ctx) };
    },
  });
}

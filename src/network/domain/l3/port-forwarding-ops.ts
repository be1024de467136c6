// Floating IP port forwardings (/floatingips/{fip}/port_forwardings): a free floating IP
// forwards ports to fixed IPv4 addresses reachable through a router with its gateway on the
// floating IP's network. A floating IP is either associated to a port or forwards ports.
import { randomUUID } from 'node:crypto';
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate, parseUpdate, type Attrs } from '../../api/attributes.js';
import type { Item } from '../../api/list.js';
import type { Kysely } from 'kysely';
import type { FloatingIpRow, NetworkDb, PortForwardingRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import { canonicalIp } from '../../ipam/ip-address.js';
import { ApiError } from '../../../core/errors.js';
import type { Caller } from '../caller.js';
import { enforce } from '../policy.js';
import { badRequest, floatingIpPortAlreadyAssociated, portForwardingNotFound, portHasBindingFloatingIp } from './errors.js';
import { pickFixedIp, routerForFloatingIp } from './floatingip-association.js';
import { loadFloatingIpForCaller } from './floatingip-ops.js';
import { loadPortForCaller, loadSubnet } from './lookup.js';
import { checkCollisions, PORT_FORWARDING_ATTRS, renderPortForwarding, requestedPorts } from './port-forwarding-rules.js';

function pfTarget(caller: Caller, fip: FloatingIpRow): Record<string, unknown> {
  return { project_id: caller.projectId, tenant_id: caller.projectId, 'ext_parent:tenant_id': fip.project_id, 'ext_parent:project_id': fip.project_id };
}

async function parentFor(deps: NetworkDeps, caller: Caller, fipId: string, rule: string, db = deps.db): Promise<FloatingIpRow> {
  const fip = await loadFloatingIpForCaller(deps, caller, fipId, db);
  enforce(deps, caller, rule, pfTarget(caller, fip));
  return fip;
}

/** The internal side: the port, one of its IPv4 addresses and the router that reaches it. */
async function resolveInternal(trx: NetworkTx, caller: Caller, fip: FloatingIpRow, portId: string, address: string): Promise<{ ip: string; routerId: string }> {
  if (fip.fixed_port_id !== null) {
    throw floatingIpPortAlreadyAssociated({ floatingIpAddress: fip.floating_ip_address, fipId: fip.id, portId, fixedIp: address, networkId: fip.floating_network_id });
  }
  const port = await loadPortForCaller(trx, caller, portId);
  const bound = await trx.selectFrom('net_floating_ip').select(['id', 'floating_ip_address']).where('fixed_port_id', '=', port.id).executeTakeFirst();
  if (bound !== undefined) {
    throw portHasBindingFloatingIp({ floatingIpAddress: bound.floating_ip_address, fipId: bound.id, portId: port.id, fixedIp: address, networkId: fip.floating_network_id });
  }
  const { ip, subnetId } = await pickFixedIp(trx, port, address, 'port_forwarding').catch(() => {
    throw badRequest('port_forwarding', `Requested internal IP address ${address} is not suitable for internal neutron port ${port.id}`);
  });
  const subnet = await loadSubnet(trx, subnetId);
  let routerId: string;
  try {
    routerId = await routerForFloatingIp(trx, port, subnet, fip.floating_network_id);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    throw badRequest('port_forwarding', `External network ${fip.floating_network_id} is not reachable from subnet ${subnet.id}. Cannot set Port forwarding for port ${port.id} with Floating IP ${fip.id}`);
  }
  if (fip.router_id !== null && fip.router_id !== routerId) {
    throw badRequest('port_forwarding', `The Floating IP ${fip.id} had been set on router ${fip.router_id}, the internal Neutron port ${port.id} can not reach it`);
  }
  return { ip, routerId };
}

async function others(trx: NetworkTx, fipId: string, portId: string, exceptId?: string): Promise<PortForwardingRow[]> {
  const rows = await trx.selectFrom('net_port_forwarding').selectAll()
    .where((eb) => eb.or([eb('floatingip_id', '=', fipId), eb('internal_port_id', '=', portId)])).execute();
  return rows.filter((r) => r.id !== exceptId);
}

export async function createPortForwarding(deps: NetworkDeps, caller: Caller, fipId: string, body: Record<string, unknown>): Promise<Item> {
  const { attrs } = parseCreate(body, PORT_FORWARDING_ATTRS, caller);
  const ports = requestedPorts(attrs);
  const row = await inTransaction(deps.db, async (trx) => {
    const fip = await parentFor(deps, caller, fipId, 'create_floatingip_port_forwarding', trx);
    const portId = attrs.internal_port_id as string;
    const { ip, routerId } = await resolveInternal(trx, caller, fip, portId, canonicalIp(attrs.internal_ip_address as string));
    const pf: PortForwardingRow = {
      id: randomUUID(), floatingip_id: fip.id, internal_port_id: portId, internal_ip_address: ip,
      internal_port: ports.internal[0], internal_port_end: ports.internal[1], external_port: ports.external[0], external_port_end: ports.external[1],
      protocol: attrs.protocol as string, description: attrs.description as string,
    };
    checkCollisions(await others(trx, fip.id, portId), fip.id, pf, ports);
    if (fip.router_id === null) await trx.updateTable('net_floating_ip').set({ router_id: routerId }).where('id', '=', fip.id).execute();
    await trx.insertInto('net_port_forwarding').values(pf).execute();
    return pf;
  });
  return renderPortForwarding(row);
}

async function loadForwarding(trx: Kysely<NetworkDb>, fip: FloatingIpRow, id: string): Promise<PortForwardingRow> {
  const row = await trx.selectFrom('net_port_forwarding').selectAll().where('id', '=', id).where('floatingip_id', '=', fip.id).executeTakeFirst();
  if (row === undefined) throw portForwardingNotFound(id);
  return row;
}

export async function listPortForwardings(deps: NetworkDeps, caller: Caller, fipId: string): Promise<Item[]> {
  const fip = await parentFor(deps, caller, fipId, 'get_floatingip_port_forwarding');
  const rows = await deps.db.selectFrom('net_port_forwarding').selectAll().where('floatingip_id', '=', fip.id).execute();
  return rows.map(renderPortForwarding);
}

export async function showPortForwarding(deps: NetworkDeps, caller: Caller, fipId: string, id: string): Promise<Item> {
  const fip = await parentFor(deps, caller, fipId, 'get_floatingip_port_forwarding');
  return renderPortForwarding(await loadForwarding(deps.db, fip, id));
}

export async function updatePortForwarding(deps: NetworkDeps, caller: Caller, fipId: string, id: string, body: Record<string, unknown>): Promise<Item> {
  const attrs: Attrs = parseUpdate(body, PORT_FORWARDING_ATTRS);
  const row = await inTransaction(deps.db, async (trx) => {
    const fip = await parentFor(deps, caller, fipId, 'update_floatingip_port_forwarding', trx);
    const current = await loadForwarding(trx, fip, id);
    const ports = requestedPorts(attrs, current);
    const portId = (attrs.internal_port_id as string | undefined) ?? current.internal_port_id;
    const address = attrs.internal_ip_address === undefined ? current.internal_ip_address : canonicalIp(attrs.internal_ip_address as string);
    const siblings = await others(trx, fip.id, portId, current.id);
    // Only the floating IP's sole forwarding may move it to another router.
    const alone = !siblings.some((o) => o.floatingip_id === fip.id);
    const { ip, routerId } = await resolveInternal(trx, caller, alone ? { ...fip, router_id: null } : fip, portId, address);
    const updated: PortForwardingRow = {
      ...current, internal_port_id: portId, internal_ip_address: ip,
      internal_port: ports.internal[0], internal_port_end: ports.internal[1], external_port: ports.external[0], external_port_end: ports.external[1],
      protocol: (attrs.protocol as string | undefined) ?? current.protocol,
      description: (attrs.description as string | undefined) ?? current.description,
    };
    checkCollisions(siblings, fip.id, updated, ports);
    const { id: _id, ...changes } = updated;
    void _id;
    await trx.updateTable('net_port_forwarding').set(changes).where('id', '=', current.id).execute();
    if (alone && fip.router_id !== routerId) await trx.updateTable('net_floating_ip').set({ router_id: routerId }).where('id', '=', fip.id).execute();
    return updated;
  });
  return renderPortForwarding(row);
}

export async function deletePortForwarding(deps: NetworkDeps, caller: Caller, fipId: string, id: string): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const fip = await parentFor(deps, caller, fipId, 'delete_floatingip_port_forwarding', trx);
    const row = await loadForwarding(trx, fip, id);
    await trx.deleteFrom('net_port_forwarding').where('id', '=', row.id).execute();
    const left = await trx.selectFrom('net_port_forwarding').select('id').where('floatingip_id', '=', fip.id).executeTakeFirst();
    // The last forwarding gone, the floating IP is free again and belongs to no router.
    if (left === undefined) await trx.updateTable('net_floating_ip').set({ router_id: null }).where('id', '=', fip.id).execute();
  });
}

// Floating IP create/list/show/update/delete. A floating IP owns a port (device_owner
// network:floatingip, no project, device_id = the floating IP) on a router:external network
// that holds its address; association points it at a fixed IPv4 address reachable through
// a router. Status is DOWN unassociated and ACTIVE associated.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../core/errors.js';
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate, parseUpdate, type AttrMap } from '../../api/attributes.js';
import type { Item, Query } from '../../api/list.js';
import { ipAddress, nullable, string, uuid } from '../../api/validators.js';
import type { FloatingIpRow } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { tryParseIp } from '../../ipam/ip-address.js';
import type { Caller } from '../caller.js';
import { floatingIpNotFound } from '../errors.js';
import { isPlausibleId, loadNetworkForUse } from '../networks/access.js';
import { notify } from '../notify.js';
import { allowed, enforce, enforceAttributes } from '../policy.js';
import { createPortInTx, deletePortInTx } from '../ports/internal.js';
import { assertQuota } from '../quota.js';
import { bumped, checkRevision, newStandard } from '../standard-attrs.js';
import { deleteTags } from '../tags.js';
import { badRequest, fipInUseByPortForwarding } from './errors.js';
import { NO_ASSOCIATION, resolveAssociation, type Association } from './floatingip-association.js';
import { fipTarget, renderFloatingIp, renderFloatingIps } from './floatingip-render.js';
import { FLOATINGIP_OWNER } from './lookup.js';

export const FLOATINGIP_ATTRS: AttrMap = {
  floating_network_id: { post: true, required: true, validate: uuid },
  floating_ip_address: { post: true, default: null, validate: nullable(ipAddress) },
  subnet_id: { post: true, default: null, validate: nullable(uuid) },
  port_id: { post: true, put: true, default: null, validate: nullable(uuid) },
  fixed_ip_address: { post: true, put: true, validate: nullable(ipAddress) },
  description: { post: true, put: true, default: '', validate: string(255) },
};

const statusOf = (a: Association): string => (a.fixed_port_id === null ? 'DOWN' : 'ACTIVE');

/** The floating IP if it exists and the caller passes get_floatingip; else 404. */
export async function loadFloatingIpForCaller(deps: NetworkDeps, caller: Caller, id: string, db = deps.db): Promise<FloatingIpRow> {
  const row = isPlausibleId(id) ? await db.selectFrom('net_floating_ip').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (row === undefined || !allowed(deps, caller, 'get_floatingip', fipTarget(row))) throw floatingIpNotFound(String(id));
  return row;
}

export async function createFloatingIp(deps: NetworkDeps, caller: Caller, body: Record<string, unknown>): Promise<Item> {
  const { attrs, given } = parseCreate(body, FLOATINGIP_ATTRS, caller);
  const projectId = attrs.project_id as string;
  const target = fipTarget({ project_id: projectId }, attrs);
  enforce(deps, caller, 'create_floatingip', target);
  enforceAttributes(deps, caller, 'create_floatingip', given, target);
  const networkId = attrs.floating_network_id as string;
  const address = attrs.floating_ip_address as string | null;
  const subnetId = attrs.subnet_id as string | null;
  const row = await inTransaction(deps.db, async (trx) => {
    await assertQuota(trx, deps.config, projectId, 'floatingip');
    // 404 unless the network is the caller's, or shared or external to the caller's project.
    const network = await loadNetworkForUse(trx, caller, networkId);
    if (network.is_external !== 1) throw badRequest('floatingip', `Network ${networkId} is not a valid external network`);
    const v4 = await trx.selectFrom('net_subnet').select('id').where('network_id', '=', networkId).where('ip_version', '=', 4).executeTakeFirst();
    if (v4 === undefined) throw badRequest('floatingip', `Network ${networkId} does not contain any IPv4 subnet`);
    const request = { ...(subnetId !== null ? { subnet_id: subnetId } : {}), ...(address !== null ? { ip_address: address } : {}) };
    const id = randomUUID();
    const port = await createPortInTx(trx, deps, {
      projectId: '', networkId, network, deviceOwner: FLOATINGIP_OWNER, deviceId: id, status: 'N/A', name: '',
      ...(Object.keys(request).length > 0 ? { fixedIps: [request] } : {}),
    });
    const ip = port.children.fixedIps.find((a) => tryParseIp(a.ip_address)?.version === 4);
    if (ip === undefined) throw new ApiError(400, `Unable to find any IP address on external network ${networkId}.`, 'ExternalIpAddressExhausted');
    const identity = { id, project_id: projectId, floating_network_id: networkId, floating_ip_address: ip.ip_address };
    const assoc = attrs.port_id === null && attrs.fixed_ip_address === undefined
      ? NO_ASSOCIATION
      : await resolveAssociation(trx, caller, identity, attrs.port_id as string | null, attrs.fixed_ip_address as string | null | undefined);
    const fip: FloatingIpRow = {
      ...identity, floating_port_id: port.row.id, ...assoc, status: statusOf(assoc),
      dns_name: '', dns_domain: '', qos_policy_id: null, ...newStandard(attrs.description),
    };
    await trx.insertInto('net_floating_ip').values(fip).execute();
    return fip;
  });
  const floatingip = await renderFloatingIp(deps.db, row);
  notify(deps, 'floatingip.create.end', { floatingip });
  deps.novaNotifier?.floatingIpChanged(null, row.fixed_port_id);
  return floatingip;
}

export async function listFloatingIps(deps: NetworkDeps, caller: Caller, query: Query): Promise<Item[]> {
  void query;
  const base = deps.db.selectFrom('net_floating_ip').selectAll();
  const rows = await (caller.isAdmin ? base : base.where('project_id', '=', caller.projectId)).execute();
  return renderFloatingIps(deps.db, rows.filter((r) => allowed(deps, caller, 'get_floatingip', fipTarget(r))));
}

export async function showFloatingIp(deps: NetworkDeps, caller: Caller, id: string): Promise<Item> {
  return renderFloatingIp(deps.db, await loadFloatingIpForCaller(deps, caller, id));
}

export async function updateFloatingIp(deps: NetworkDeps, caller: Caller, id: string, body: Record<string, unknown>, ifMatch: number | undefined): Promise<Item> {
  const attrs = parseUpdate(body, FLOATINGIP_ATTRS);
  const row = await inTransaction(deps.db, async (trx) => {
    const current = await loadFloatingIpForCaller(deps, caller, id, trx);
    enforce(deps, caller, 'update_floatingip', fipTarget(current, attrs));
    checkRevision(ifMatch, current.revision_number);
    let assoc: Association = { fixed_port_id: current.fixed_port_id, fixed_ip_address: current.fixed_ip_address, router_id: current.router_id };
    // An empty update body disassociates, as in Neutron (the API's original meaning); any other
    // body without port_id keeps the association.
    const blank = Object.keys(attrs).length === 0;
    if (blank) {
      assoc = { ...NO_ASSOCIATION, router_id: current.fixed_port_id === null ? current.router_id : null };
    } else if (attrs.port_id !== undefined || attrs.fixed_ip_address !== undefined) {
      if (typeof attrs.port_id === 'string') {
        // Port forwardings and an association are mutually exclusive on one floating IP.
        const pf = await trx.selectFrom('net_port_forwarding').select('id').where('floatingip_id', '=', current.id).executeTakeFirst();
        if (pf !== undefined) throw fipInUseByPortForwarding(current.id);
      }
      const portId = attrs.port_id === undefined ? null : (attrs.port_id as string | null);
      assoc = await resolveAssociation(trx, caller, current, portId, attrs.fixed_ip_address as string | null | undefined);
      // A floating IP used by port forwardings keeps their router.
      if (assoc.fixed_port_id === null && current.fixed_port_id === null) assoc = { ...assoc, router_id: current.router_id };
    }
    const changes = {
      ...assoc, status: statusOf(assoc),
      ...(attrs.description !== undefined ? { description: attrs.description as string } : {}),
      ...bumped(current),
    };
    await trx.updateTable('net_floating_ip').set(changes).where('id', '=', current.id).execute();
    return { ...current, ...changes, previousPortId: current.fixed_port_id };
  });
  const floatingip = await renderFloatingIp(deps.db, row);
  notify(deps, 'floatingip.update.end', { floatingip });
  deps.novaNotifier?.floatingIpChanged(row.previousPortId, row.fixed_port_id);
  return floatingip;
}

export async function deleteFloatingIp(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  const deleted = await inTransaction(deps.db, async (trx) => {
    const row = await loadFloatingIpForCaller(deps, caller, id, trx);
    enforce(deps, caller, 'delete_floatingip', fipTarget(row));
    checkRevision(ifMatch, row.revision_number);
    const pf = await trx.selectFrom('net_port_forwarding').select('id').where('floatingip_id', '=', row.id).executeTakeFirst();
    if (pf !== undefined) throw fipInUseByPortForwarding(row.id);
    await trx.deleteFrom('net_floating_ip').where('id', '=', row.id).execute();
    await deleteTags(trx, 'floatingips', row.id);
    await deletePortInTx(trx, deps, row.floating_port_id);
    return row;
  });
  notify(deps, 'floatingip.delete.end', { floatingip_id: deleted.id, floating_ip_address: deleted.floating_ip_address, router_id: deleted.router_id });
  deps.novaNotifier?.floatingIpChanged(deleted.fixed_port_id, null);
}

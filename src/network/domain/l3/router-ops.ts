// Router create/list/show/update/delete (Neutron's L3 plugin with ext-gw-mode, extraroute,
// dvr, l3-ha, router_availability_zone and standard attributes).
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../core/errors.js';
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate, parseUpdate, type Attrs } from '../../api/attributes.js';
import type { Item, Query } from '../../api/list.js';
import type { RouterRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { notify } from '../notify.js';
import { allowed, enforce, enforceAttributes } from '../policy.js';
import { assertQuota } from '../quota.js';
import { bumped, checkRevision, newStandard } from '../standard-attrs.js';
import { deleteTags } from '../tags.js';
import { badRequest, routerInUse, gatewayInUseByFloatingIp } from './errors.js';
import { replaceRoutes } from './extraroutes.js';
import { dropGateway, updateGateway } from './gateway.js';
import { loadRouterForCaller, ROUTER_INTERFACE } from './lookup.js';
import { ROUTER_ATTRS, type GatewayInfo, type Route } from './router-attrs.js';
import { renderRouter, renderRouters, routerTarget } from './router-render.js';

/** Attribute names for per-attribute policy, including the gateway's sub-keys that were sent. */
function policyAttrs(given: Iterable<string>, body: Record<string, unknown>): string[] {
  const names = [...given];
  const raw = body.external_gateway_info;
  if (names.includes('external_gateway_info') && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    for (const key of ['network_id', 'enable_snat', 'external_fixed_ips']) {
      if ((raw as Record<string, unknown>)[key] !== undefined) names.push(`external_gateway_info:${key}`);
    }
  }
  return names;
}

function flavorNotFound(id: string): ApiError {
  return new ApiError(404, `Flavor ${id} could not be found.`, 'FlavorNotFound');
}

export async function createRouter(deps: NetworkDeps, caller: Caller, body: Record<string, unknown>): Promise<Item> {
  const { attrs, given } = parseCreate(body, ROUTER_ATTRS, caller);
  const projectId = attrs.project_id as string;
  const target = routerTarget({ project_id: projectId }, attrs);
  enforce(deps, caller, 'create_router', target);
  enforceAttributes(deps, caller, 'create_router', policyAttrs(given, body), target);
  if (attrs.flavor_id !== undefined && attrs.flavor_id !== null) throw flavorNotFound(attrs.flavor_id as string);
  const row: RouterRow = {
    id: randomUUID(),
    project_id: projectId,
    name: attrs.name as string,
    status: 'ACTIVE',
    admin_state_up: attrs.admin_state_up === true ? 1 : 0,
    gw_port_id: null,
    enable_snat: 1,
    distributed: attrs.distributed === true ? 1 : 0,
    ha: attrs.ha === true ? 1 : 0,
    flavor_id: null,
    availability_zone_hints: JSON.stringify(attrs.availability_zone_hints ?? []),
    enable_ndp_proxy: null,
    ...newStandard(attrs.description),
  };
  await inTransaction(deps.db, async (trx) => {
    await assertQuota(trx, deps.config, projectId, 'router');
    await trx.insertInto('net_router').values(row).execute();
    const gw = attrs.external_gateway_info as GatewayInfo | null;
    if (gw !== null) {
      const cols = await updateGateway(trx, deps, caller, row, gw);
      await trx.updateTable('net_router').set(cols).where('id', '=', row.id).execute();
      Object.assign(row, cols);
    }
  });
  const router = await renderRouter(deps, caller, row);
  notify(deps, 'router.create.end', { router });
  return router;
}

export async function listRouters(deps: NetworkDeps, caller: Caller, query: Query): Promise<Item[]> {
  void query;
  const base = deps.db.selectFrom('net_router').selectAll();
  const rows = await (caller.isAdmin ? base : base.where('project_id', '=', caller.projectId)).execute();
  const visible = rows.filter((r) => allowed(deps, caller, 'get_router', routerTarget(r)));
  return renderRouters(deps, caller, visible);
}

export async function showRouter(deps: NetworkDeps, caller: Caller, id: string): Promise<Item> {
  return renderRouter(deps, caller, await loadRouterForCaller(deps, caller, id));
}

/** dvr/l3-ha migrations need the router administratively down first, as in Neutron. */
function checkMigration(row: RouterRow, attrs: Attrs): void {
  const changing = (key: 'distributed' | 'ha'): boolean => attrs[key] !== undefined && (attrs[key] === true ? 1 : 0) !== row[key];
  const adminUp = attrs.admin_state_up === undefined ? row.admin_state_up === 1 : attrs.admin_state_up === true;
  if (changing('distributed') && row.admin_state_up === 1 && adminUp) {
    throw badRequest('router', 'Cannot upgrade active router to distributed. Please set router admin_state_up to False prior to upgrade');
  }
  if (changing('ha') && row.admin_state_up === 1 && adminUp) {
    throw badRequest('router', 'Cannot change HA attribute of active routers. Please set router admin_state_up to False prior to upgrade');
  }
}

/** Applies a validated update to a router inside `trx` (also used by the extraroute actions). */
export async function applyRouterUpdate(trx: NetworkTx, deps: NetworkDeps, caller: Caller, row: RouterRow, attrs: Attrs): Promise<RouterRow> {
  checkMigration(row, attrs);
  const changes: Partial<RouterRow> = {};
  if (attrs.name !== undefined) changes.name = attrs.name as string;
  if (attrs.description !== undefined) changes.description = attrs.description as string;
  if (attrs.admin_state_up !== undefined) changes.admin_state_up = attrs.admin_state_up === true ? 1 : 0;
  if (attrs.distributed !== undefined) changes.distributed = attrs.distributed === true ? 1 : 0;
  if (attrs.ha !== undefined) changes.ha = attrs.ha === true ? 1 : 0;
  if (attrs.external_gateway_info !== undefined) {
    Object.assign(changes, await updateGateway(trx, deps, caller, row, attrs.external_gateway_info as GatewayInfo | null));
  }
  if (attrs.routes !== undefined) await replaceRoutes(trx, deps.config, row.id, attrs.routes as Route[]);
  const updated: RouterRow = { ...row, ...changes, ...bumped(row) };
  await trx.updateTable('net_router').set({ ...changes, ...bumped(row) }).where('id', '=', row.id).execute();
  return updated;
}

export async function updateRouter(deps: NetworkDeps, caller: Caller, id: string, body: Record<string, unknown>, ifMatch: number | undefined): Promise<Item> {
  const attrs = parseUpdate(body, ROUTER_ATTRS);
  const row = await inTransaction(deps.db, async (trx) => {
    const current = await loadRouterForCaller(deps, caller, id, trx);
    const target = routerTarget(current, attrs);
    enforce(deps, caller, 'update_router', target);
    enforceAttributes(deps, caller, 'update_router', policyAttrs(Object.keys(attrs), body), target);
    checkRevision(ifMatch, current.revision_number);
    return applyRouterUpdate(trx, deps, caller, current, attrs);
  });
  const router = await renderRouter(deps, caller, row);
  notify(deps, 'router.update.end', { router });
  return router;
}

export async function deleteRouter(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const row = await loadRouterForCaller(deps, caller, id, trx);
    enforce(deps, caller, 'delete_router', routerTarget(row));
    checkRevision(ifMatch, row.revision_number);
    const iface = await trx.selectFrom('net_router_port').select('port_id')
      .where('router_id', '=', row.id).where('port_type', '=', ROUTER_INTERFACE).executeTakeFirst();
    if (iface !== undefined) throw routerInUse(row.id);
    const fip = await trx.selectFrom('net_floating_ip').select('floating_network_id').where('router_id', '=', row.id).executeTakeFirst();
    if (fip !== undefined) throw gatewayInUseByFloatingIp(row.id, fip.floating_network_id);
    await dropGateway(trx, deps, row);
    await trx.deleteFrom('net_router_route').where('router_id', '=', row.id).execute();
    await trx.deleteFrom('net_router_port').where('router_id', '=', row.id).execute();
    await deleteTags(trx, 'routers', row.id);
    await trx.deleteFrom('net_router').where('id', '=', row.id).execute();
  });
  notify(deps, 'router.delete.end', { router_id: id });
}

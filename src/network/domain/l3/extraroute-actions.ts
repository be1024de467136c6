// extraroute-atomic: PUT /routers/{id}/add_extraroutes and remove_extraroutes change the route
// set relative to what is stored, inside one transaction, so concurrent clients do not lose
// each other's routes as they would with read-modify-write of `routes`.
import type { NetworkDeps } from '../../api/deps.js';
import { parseUpdate, resourceBody } from '../../api/attributes.js';
import type { Item } from '../../api/list.js';
import { inTransaction } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { badAttribute } from '../errors.js';
import { notify } from '../notify.js';
import { enforce } from '../policy.js';
import { loadRoutes, mergeRoutes, subtractRoutes } from './extraroutes.js';
import { loadRouterForCaller } from './lookup.js';
import { routeList, type Route } from './router-attrs.js';
import { renderRouter, routerTarget } from './router-render.js';
import { applyRouterUpdate } from './router-ops.js';

export async function changeExtraRoutes(deps: NetworkDeps, caller: Caller, routerId: string, body: unknown, action: 'add_extraroutes' | 'remove_extraroutes'): Promise<Item> {
  const attrs = parseUpdate(resourceBody(body, 'router'), { routes: { put: true, validate: routeList } });
  if (attrs.routes === undefined) throw badAttribute("Failed to parse request. Required attribute 'routes' not specified");
  const given = attrs.routes as Route[];
  const row = await inTransaction(deps.db, async (trx) => {
    const router = await loadRouterForCaller(deps, caller, routerId, trx);
    enforce(deps, caller, action, routerTarget(router));
    const old = await loadRoutes(trx, router.id);
    const routes = action === 'add_extraroutes' ? mergeRoutes(old, given) : subtractRoutes(old, given);
    return applyRouterUpdate(trx, deps, caller, router, { routes });
  });
  const router = await renderRouter(deps, caller, row);
  notify(deps, 'router.update.end', { router });
  return { router };
}

// GET /v2.0/networks and /v2.0/networks/<id>: the networks a caller may see (owner, admin,
// RBAC grants to them or '*'), rendered for them.
import type { NetworkDeps } from '../../api/deps.js';
import type { Query } from '../../api/list.js';
import { queryValues } from '../../api/list.js';
import type { Caller } from '../caller.js';
import { networkNotFound } from '../errors.js';
import { EXTERNAL, SHARED, canSeeNetwork, findNetwork, isPlausibleId, networkVisibility, type NetworkVisibility } from './access.js';
import { renderNetworks } from './render.js';

export async function listNetworks(deps: NetworkDeps, caller: Caller, query: Query): Promise<Record<string, unknown>[]> {
  const vis = await networkVisibility(deps.db, caller);
  let q = deps.db.selectFrom('net_network').selectAll();
  // Push the cheap, common filters down; the generic filter still runs over the result.
  const ids = queryValues(query, 'id').filter(isPlausibleId);
  if (queryValues(query, 'id').length > 0) q = q.where('id', 'in', ids.length > 0 ? ids : ['']);
  if (!caller.isAdmin) {
    const granted = [...vis.sharedIds, ...vis.externalIds];
    if (granted.length === 0) q = q.where('project_id', '=', caller.projectId);
    else if (granted.length <= 500) q = q.where((eb) => eb.or([eb('project_id', '=', caller.projectId), eb('id', 'in', granted)]));
  }
  const rows = (await q.execute()).filter((row) => canSeeNetwork(vis, row));
  return renderNetworks(deps, caller, rows, vis);
}

export async function showNetwork(deps: NetworkDeps, caller: Caller, id: string): Promise<Record<string, unknown>> {
  const row = await findNetwork(deps.db, id);
  if (row === undefined) throw networkNotFound(id);
  // Only this network's grants matter: one small query instead of all the caller's grants.
  const targets = caller.projectId === '' ? ['*'] : ['*', caller.projectId];
  const grants = await deps.db.selectFrom('net_rbac_policy').select(['action']).where('object_type', '=', 'network')
    .where('object_id', '=', row.id).where('target_project', 'in', targets).execute();
  const vis: NetworkVisibility = {
    isAdmin: caller.isAdmin, projectId: caller.projectId,
    sharedIds: new Set(grants.some((g) => g.action === SHARED) ? [row.id] : []),
    externalIds: new Set(grants.some((g) => g.action === EXTERNAL) ? [row.id] : []),
  };
  if (!canSeeNetwork(vis, row)) throw networkNotFound(id);
  const [item] = await renderNetworks(deps, caller, [row], vis);
  return item!;
}

// GET /v2.0/subnetpools[/id]: pools the caller owns, shared ones, or all for admins.
import type { NetworkDeps } from '../../api/deps.js';
import type { Item } from '../../api/list.js';
import type { Caller } from '../caller.js';
import { allowed } from '../policy.js';
import { loadVisiblePool, poolTarget } from './subnetpool-access.js';
import { renderPools } from './subnetpool-render.js';

export async function listPools(deps: NetworkDeps, caller: Caller): Promise<Item[]> {
  const rows = await deps.db.selectFrom('net_subnetpool').selectAll().execute();
  return renderPools(deps.db, rows.filter((r) => allowed(deps, caller, 'get_subnetpool', poolTarget(r))));
}

export async function showPool(deps: NetworkDeps, caller: Caller, id: string): Promise<Item> {
  return (await renderPools(deps.db, [await loadVisiblePool(deps.db, deps, caller, id)]))[0]!;
}

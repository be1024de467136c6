// GET /v2.0/subnets and /v2.0/subnets/{id}. Visibility is Neutron's: admins see all, others their
// own subnets and those on networks shared with them (not merely external ones), each then
// passed through get_subnet. Filters on plain columns are pushed into SQL.
import type { NetworkDeps } from '../../api/deps.js';
import { queryValues, type Item, type Query } from '../../api/list.js';
import type { Caller } from '../caller.js';
import { allowed } from '../policy.js';
import { networkVisibility } from '../networks/access.js';
import { loadVisibleSubnet, subnetTarget } from './subnet-access.js';
import { loadSubnetChildren, renderSubnet } from './subnet-render.js';

const SQL_FILTERS = ['id', 'network_id', 'name', 'cidr', 'subnetpool_id'] as const;

export async function listSubnets(deps: NetworkDeps, caller: Caller, query: Query): Promise<Item[]> {
  let q = deps.db.selectFrom('net_subnet').selectAll();
  for (const key of SQL_FILTERS) {
    const values = queryValues(query, key).filter((v) => v !== '' && v.length <= 255);
    if (values.length > 0 && values.length === queryValues(query, key).length) q = q.where(key, 'in', values);
  }
  const [rows, vis] = await Promise.all([q.execute(), networkVisibility(deps.db, caller)]);
  const owners = new Map<string, string>();
  const netIds = [...new Set(rows.map((r) => r.network_id))];
  if (netIds.length > 0) {
    const nets = netIds.length <= 500
      ? await deps.db.selectFrom('net_network').select(['id', 'project_id']).where('id', 'in', netIds).execute()
      : await deps.db.selectFrom('net_network').select(['id', 'project_id']).execute();
    for (const n of nets) owners.set(n.id, n.project_id);
  }
  const visible = rows.filter((r) => allowed(deps, caller, 'get_subnet',
    subnetTarget(r, owners.get(r.network_id) ?? '', vis.sharedIds.has(r.network_id))));
  const children = await loadSubnetChildren(deps.db, visible.map((r) => r.id));
  const showSegment = caller.isAdmin || deps.policy.authorize('get_subnet:segment_id', { project_id: caller.projectId }, caller.creds);
  return visible.map((r) => renderSubnet(r, children.get(r.id), { showSegment }));
}

export async function showSubnet(deps: NetworkDeps, caller: Caller, id: string): Promise<Item> {
  const { row, network, shared } = await loadVisibleSubnet(deps, caller, id);
  const children = await loadSubnetChildren(deps.db, [row.id]);
  const showSegment = deps.policy.authorize('get_subnet:segment_id', subnetTarget(row, network.project_id, shared), caller.creds);
  return renderSubnet(row, children.get(row.id), { showSegment });
}

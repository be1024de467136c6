// POST /v2.0/subnets with a `subnets` list. ML2 creates subnets in bulk natively (one
// transaction), so a failed bulk leaves no trace, not even its networks' revision bumps.
import type { NetworkDeps } from '../../api/deps.js';
import type { Item } from '../../api/list.js';
import type { Caller } from '../caller.js';
import { bulkCreateRevisingNetworks } from '../networks/revision.js';
import { createSubnet } from './create-subnet.js';
import { deleteSubnet } from './delete-subnet.js';

export function createSubnets(deps: NetworkDeps, caller: Caller, bodies: Record<string, unknown>[]): Promise<Item[]> {
  return bulkCreateRevisingNetworks(deps.db, bodies, (b) => b.network_id,
    (body) => createSubnet(deps, caller, body),
    (done) => deleteSubnet(deps, caller, String(done.id), undefined));
}

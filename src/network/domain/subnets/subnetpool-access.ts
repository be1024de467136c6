// Subnet pools a caller may use: admin, owner, or shared pools (get_subnetpool).
import type { Kysely } from 'kysely';
import type { NetworkDeps } from '../../api/deps.js';
import type { NetworkDb, SubnetPoolRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import { subnetPoolNotFound } from '../errors.js';
import { allowed } from '../policy.js';
import { isPlausibleId } from '../networks/access.js';
import { subnetsBadRequest } from './pool-errors.js';

export function poolTarget(pool: SubnetPoolRow): Record<string, unknown> {
  return { ...pool, tenant_id: pool.project_id, shared: pool.shared === 1, is_default: pool.is_default === 1 };
}

export async function loadVisiblePool(db: Kysely<NetworkDb>, deps: NetworkDeps, caller: Caller, id: string): Promise<SubnetPoolRow> {
  if (!isPlausibleId(id)) throw subnetPoolNotFound(String(id));
  const pool = await db.selectFrom('net_subnetpool').selectAll().where('id', '=', id).executeTakeFirst();
  if (pool === undefined || !allowed(deps, caller, 'get_subnetpool', poolTarget(pool))) throw subnetPoolNotFound(id);
  return pool;
}

/** The default pool of an IP version (Neutron's get_default_subnetpool), as the caller sees pools. */
export async function defaultPool(db: Kysely<NetworkDb>, deps: NetworkDeps, caller: Caller, ipVersion: number): Promise<SubnetPoolRow> {
  const pools = await db.selectFrom('net_subnetpool').selectAll().where('is_default', '=', 1).where('ip_version', '=', ipVersion).execute();
  const pool = pools.find((p) => allowed(deps, caller, 'get_subnetpool', poolTarget(p)));
  if (pool === undefined) throw subnetsBadRequest(`No default subnetpool found for IPv${ipVersion}`);
  return pool;
}

// Cross-resource rules of subnet pools: one default per IP version, and the address scope a
// pool joins (visible to the caller, same IP version, no prefix shared with its other pools).
import { ApiError } from '../../../core/errors.js';
import type { NetworkDeps } from '../../api/deps.js';
import type { NetworkTx } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { invalidInput } from '../errors.js';
import { allowed } from '../policy.js';
import { addressScopeNotFound } from './pool-errors.js';
import { cidrRange, parseCidrs, rangesIntersect } from './prefix-space.js';

export async function checkSingleDefault(trx: NetworkTx, ipVersion: number, exceptId: string): Promise<void> {
  const other = await trx.selectFrom('net_subnetpool').select('id').where('is_default', '=', 1).where('ip_version', '=', ipVersion)
    .where('id', '!=', exceptId).executeTakeFirst();
  if (other !== undefined) {
    throw invalidInput('A default subnetpool for this IP family has already been set. Only one default may exist per IP family');
  }
}

export async function checkAddressScope(trx: NetworkTx, deps: NetworkDeps, caller: Caller, poolId: string, scopeId: string, prefixes: readonly string[], ipVersion: number): Promise<void> {
  // Neutron's is_address_scope_owned_by_tenant: a scope the caller cannot see is
  // AddressScopeNotFound; a visible (shared) scope of another project is refused for non-admins.
  const scope = await trx.selectFrom('net_address_scope').selectAll().where('id', '=', scopeId).executeTakeFirst();
  if (scope === undefined || !allowed(deps, caller, 'get_address_scope', { ...scope, tenant_id: scope.project_id, shared: scope.shared === 1 })) {
    throw addressScopeNotFound(scopeId);
  }
  if (!caller.isAdmin && scope.project_id !== caller.projectId) {
    throw new ApiError(400, `Illegal subnetpool association: subnetpool ${poolId} cannot be associated with address scope ${scopeId}.`,
      'IllegalSubnetPoolAssociationToAddressScope');
  }
  if (scope.ip_version !== ipVersion) {
    throw new ApiError(400, `Illegal subnetpool association: subnetpool ${poolId} cannot associate with address scope ${scopeId} because subnetpool ip_version is not ${scope.ip_version}.`,
      'IllegalSubnetPoolIpVersionAssociationToAddressScope');
  }
  const others = await trx.selectFrom('net_subnetpool_prefix').innerJoin('net_subnetpool', 'net_subnetpool.id', 'net_subnetpool_prefix.subnetpool_id')
    .select('net_subnetpool_prefix.cidr').where('net_subnetpool.address_scope_id', '=', scopeId).where('net_subnetpool.id', '!=', poolId).execute();
  if (rangesIntersect(parseCidrs(others.map((o) => o.cidr)).map(cidrRange), parseCidrs(prefixes).map(cidrRange))) {
    throw new ApiError(409, 'Failed to associate address scope: subnetpools within an address scope must have unique prefixes.', 'AddressScopePrefixConflict');
  }
}

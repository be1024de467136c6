// Carving a subnet's CIDR out of a subnet pool (neutron/ipam/subnet_alloc.py). The pool row is
// locked first (a no-op UPDATE) so two concurrent allocations from one pool never overlap: the
// second waits, then reads the first's subnet.
import type { NetworkTx } from '../../db/transaction.js';
import type { SubnetPoolRow } from '../../db/schema.js';
import { formatCidr, tryParseCidrLoose } from '../../ipam/cidr.js';
import { cidrRange, firstFit, parseCidrs, rangesContain, subtractRanges } from './prefix-space.js';
import { maxPrefixError, minPrefixError, poolQuotaExceeded, subnetAllocationError } from './pool-errors.js';

export interface PoolRequest {
  readonly pool: SubnetPoolRow;
  readonly projectId: string;
  /** A specific CIDR, or undefined for "any block of prefixlen". */
  readonly cidr?: string;
  readonly prefixlen?: number;
}

/** IPv4 quota is counted in /32s, IPv6 in /64s. */
function quotaUnits(version: number, prefixlen: number): number {
  const unit = version === 4 ? 32 : 64;
  return prefixlen > unit ? 0 : 2 ** (unit - prefixlen);
}

export async function allocateFromPool(trx: NetworkTx, req: PoolRequest): Promise<string> {
  const { pool } = req;
  const specific = req.cidr === undefined ? undefined : tryParseCidrLoose(req.cidr)?.cidr;
  const prefixlen = specific?.prefixlen ?? req.prefixlen ?? pool.default_prefixlen;
  if (prefixlen > pool.max_prefixlen) throw maxPrefixError(prefixlen, pool.max_prefixlen);
  if (prefixlen < pool.min_prefixlen) throw minPrefixError(prefixlen, pool.min_prefixlen);

  await trx.updateTable('net_subnetpool').set({ id: pool.id }).where('id', '=', pool.id).execute();
  const [prefixRows, allocated] = await Promise.all([
    trx.selectFrom('net_subnetpool_prefix').select('cidr').where('subnetpool_id', '=', pool.id).execute(),
    trx.selectFrom('net_subnet').select(['cidr', 'project_id']).where('subnetpool_id', '=', pool.id).execute(),
  ]);
  if (pool.default_quota !== null && pool.default_quota > 0) {
    let used = 0;
    for (const s of parseCidrs(allocated.filter((a) => a.project_id === req.projectId).map((a) => a.cidr))) used += quotaUnits(pool.ip_version, s.prefixlen);
    if (used + quotaUnits(pool.ip_version, prefixlen) > pool.default_quota) throw poolQuotaExceeded();
  }
  const free = subtractRanges(parseCidrs(prefixRows.map((p) => p.cidr)).map(cidrRange), parseCidrs(allocated.map((a) => a.cidr)).map(cidrRange));
  if (specific !== undefined) {
    if (!rangesContain(free, cidrRange(specific))) throw subnetAllocationError('Cannot allocate requested subnet from the available set of prefixes');
    return formatCidr(specific);
  }
  const fit = firstFit(free, pool.ip_version === 6 ? 6 : 4, prefixlen);
  if (fit === undefined) throw subnetAllocationError(`Insufficient prefix space to allocate subnet size /${prefixlen}`);
  return formatCidr(fit);
}

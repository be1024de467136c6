// Subnet pool create / update / delete and the add_prefixes / remove_prefixes actions
// (neutron db_base_plugin_v2 + subnet_alloc). Prefixes are stored compacted, as Neutron does.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../core/errors.js';
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate, parseUpdate } from '../../api/attributes.js';
import type { SubnetPoolRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { notify } from '../notify.js';
import { enforce, enforceAttributes } from '../policy.js';
import { assertQuota } from '../quota.js';
import { bumped, checkRevision, newStandard } from '../standard-attrs.js';
import { illegalPrefixUpdate } from './pool-errors.js';
import { cidrRange, compactPrefixes, parseCidrs, rangesIntersect, subtractRanges, rangesToCidrs } from './prefix-space.js';
import { checkAddressScope, checkSingleDefault } from './subnetpool-checks.js';
import { SUBNETPOOL_ATTRS } from './subnetpool-attrs.js';
import { readPoolShape } from './subnetpool-reader.js';
import { loadVisiblePool, poolTarget } from './subnetpool-access.js';
import { loadPrefixes, renderPools } from './subnetpool-render.js';

type Item = Record<string, unknown>;

async function writePrefixes(trx: NetworkTx, poolId: string, prefixes: readonly string[]): Promise<void> {
  await trx.deleteFrom('net_subnetpool_prefix').where('subnetpool_id', '=', poolId).execute();
  if (prefixes.length > 0) await trx.insertInto('net_subnetpool_prefix').values(prefixes.map((cidr) => ({ subnetpool_id: poolId, cidr }))).execute();
}

async function rendered(deps: NetworkDeps, row: SubnetPoolRow): Promise<Item> {
  return (await renderPools(deps.db, [row]))[0]!;
}

export async function createPool(deps: NetworkDeps, caller: Caller, body: Item): Promise<Item> {
  const { attrs: a, given } = parseCreate(body, SUBNETPOOL_ATTRS, caller);
  const shape = readPoolShape(a.prefixes as string[], { min: a.min_prefixlen as number | undefined, max: a.max_prefixlen as number | undefined, def: a.default_prefixlen as number | undefined });
  const row: SubnetPoolRow = {
    id: randomUUID(), project_id: a.project_id as string, name: a.name as string, ip_version: shape.ipVersion,
    default_prefixlen: shape.defaultPrefixlen, min_prefixlen: shape.minPrefixlen, max_prefixlen: shape.maxPrefixlen,
    shared: a.shared ? 1 : 0, is_default: a.is_default ? 1 : 0, default_quota: (a.default_quota as number | null | undefined) ?? null,
    address_scope_id: (a.address_scope_id as string | null | undefined) ?? null, ...newStandard(a.description),
  };
  enforce(deps, caller, 'create_subnetpool', poolTarget(row));
  enforceAttributes(deps, caller, 'create_subnetpool', given, poolTarget(row));
  await inTransaction(deps.db, async (trx) => {
    await assertQuota(trx, deps.config, row.project_id, 'subnetpool');
    if (row.is_default === 1) await checkSingleDefault(trx, row.ip_version, row.id);
    if (row.address_scope_id !== null) await checkAddressScope(trx, deps, caller, row.id, row.address_scope_id, shape.prefixes, row.ip_version);
    await trx.insertInto('net_subnetpool').values(row).execute();
    await writePrefixes(trx, row.id, shape.prefixes);
  });
  const pool = await rendered(deps, row);
  notify(deps, 'subnetpool.create.end', { subnetpool: pool });
  return pool;
}

/** Applies an update inside a transaction; used by PUT and by add_prefixes. */
async function applyUpdate(trx: NetworkTx, deps: NetworkDeps, caller: Caller, id: string, u: Item, ifMatch: number | undefined): Promise<SubnetPoolRow> {
  const cur = await trx.selectFrom('net_subnetpool').selectAll().where('id', '=', id).executeTakeFirst();
  if (cur === undefined) throw new ApiError(404, `Subnet pool ${id} could not be found.`, 'SubnetPoolNotFound');
  checkRevision(ifMatch, cur.revision_number);
  const oldPrefixes = (await loadPrefixes(trx, [id])).get(id) ?? [];
  let prefixes = oldPrefixes;
  if (u.prefixes !== undefined) {
    const next = parseCidrs(u.prefixes as string[]).map(cidrRange);
    if (subtractRanges(parseCidrs(oldPrefixes).map(cidrRange), next).length > 0) throw illegalPrefixUpdate('Existing prefixes must be a subset of the new prefixes');
    prefixes = u.prefixes as string[];
  }
  const shape = readPoolShape(prefixes, {
    min: (u.min_prefixlen as number | undefined) ?? cur.min_prefixlen, max: (u.max_prefixlen as number | undefined) ?? cur.max_prefixlen,
    def: (u.default_prefixlen as number | undefined) ?? cur.default_prefixlen,
  });
  if (shape.ipVersion !== cur.ip_version) throw new ApiError(400, 'Cannot mix IPv4 and IPv6 prefixes in a subnet pool.', 'PrefixVersionMismatch');
  const changes: Partial<SubnetPoolRow> = {
    min_prefixlen: shape.minPrefixlen, max_prefixlen: shape.maxPrefixlen, default_prefixlen: shape.defaultPrefixlen,
    ...(u.name !== undefined ? { name: u.name as string } : {}),
    ...(u.description !== undefined ? { description: u.description as string } : {}),
    ...(u.default_quota !== undefined ? { default_quota: u.default_quota as number | null } : {}),
    ...(u.is_default !== undefined ? { is_default: u.is_default ? 1 : 0 } : {}),
    ...(u.address_scope_id !== undefined ? { address_scope_id: u.address_scope_id as string | null } : {}),
  };
  if (changes.is_default === 1 && cur.is_default === 0) await checkSingleDefault(trx, cur.ip_version, id);
  const scope = changes.address_scope_id !== undefined ? changes.address_scope_id : cur.address_scope_id;
  if (scope !== null) await checkAddressScope(trx, deps, caller, id, scope, shape.prefixes, cur.ip_version);
  const next = { ...cur, ...changes, ...bumped(cur) };
  await trx.updateTable('net_subnetpool').set({ ...changes, ...bumped(cur) }).where('id', '=', id).execute();
  if (u.prefixes !== undefined) await writePrefixes(trx, id, shape.prefixes);
  return next;
}

export async function updatePool(deps: NetworkDeps, caller: Caller, id: string, body: Item, ifMatch: number | undefined): Promise<Item> {
  // Neutron validates the body (read-only attributes such as shared) before looking the pool up.
  const u = parseUpdate(body, SUBNETPOOL_ATTRS);
  const visible = await loadVisiblePool(deps.db, deps, caller, id);
  enforce(deps, caller, 'update_subnetpool', poolTarget(visible));
  enforceAttributes(deps, caller, 'update_subnetpool', Object.keys(u), poolTarget(visible));
  const row = await inTransaction(deps.db, (trx) => applyUpdate(trx, deps, caller, id, u, ifMatch));
  const pool = await rendered(deps, row);
  notify(deps, 'subnetpool.update.end', { subnetpool: pool });
  return pool;
}

export async function deletePool(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  const visible = await loadVisiblePool(deps.db, deps, caller, id);
  enforce(deps, caller, 'delete_subnetpool', poolTarget(visible));
  await inTransaction(deps.db, async (trx) => {
    const cur = await trx.selectFrom('net_subnetpool').select('revision_number').where('id', '=', id).executeTakeFirst();
    if (cur === undefined) throw new ApiError(404, `Subnet pool ${id} could not be found.`, 'SubnetPoolNotFound');
    checkRevision(ifMatch, cur.revision_number);
    const used = await trx.selectFrom('net_subnet').select('id').where('subnetpool_id', '=', id).executeTakeFirst();
    // Neutron raises SubnetPoolDeleteError (a 400), not an InUse conflict, for this.
    if (used !== undefined) throw new ApiError(400, 'Unable to delete subnet pool: Subnet pool has existing allocations.', 'SubnetPoolDeleteError');
    await trx.deleteFrom('net_subnetpool_prefix').where('subnetpool_id', '=', id).execute();
    await trx.deleteFrom('net_tag').where('resource_type', '=', 'subnetpools').where('resource_id', '=', id).execute();
    await trx.deleteFrom('net_subnetpool').where('id', '=', id).execute();
  });
  notify(deps, 'subnetpool.delete.end', { subnetpool_id: id });
}

/** PUT /v2.0/subnetpools/{id}/add_prefixes | remove_prefixes with {"prefixes": [...]}. */
export async function changePrefixes(deps: NetworkDeps, caller: Caller, id: string, body: unknown, op: 'add_prefixes' | 'remove_prefixes'): Promise<{ prefixes: string[] }> {
  const visible = await loadVisiblePool(deps.db, deps, caller, id);
  enforce(deps, caller, op, poolTarget(visible));
  const raw = (body as { prefixes?: unknown } | null)?.prefixes;
  const list = SUBNETPOOL_ATTRS.prefixes!.validate!(raw ?? [], 'prefixes') as string[];
  const row = await inTransaction(deps.db, async (trx) => {
    const current = (await loadPrefixes(trx, [id])).get(id) ?? [];
    if (list.length === 0) return current;
    if (op === 'add_prefixes') {
      await applyUpdate(trx, deps, caller, id, { prefixes: [...current, ...list] }, undefined);
      return (await loadPrefixes(trx, [id])).get(id) ?? [];
    }
    const removal = parseCidrs(list).map(cidrRange);
    if (!rangesIntersect(parseCidrs(current).map(cidrRange), removal)) return current;
    const subnets = await trx.selectFrom('net_subnet').select('cidr').where('subnetpool_id', '=', id).execute();
    if (rangesIntersect(parseCidrs(subnets.map((s) => s.cidr)).map(cidrRange), removal)) {
      throw illegalPrefixUpdate('One or more the prefixes to be removed is in use by a subnet.');
    }
    const left = compactPrefixes(rangesToCidrs(subtractRanges(parseCidrs(current).map(cidrRange), removal)));
    await writePrefixes(trx, id, left);
    const cur = await trx.selectFrom('net_subnetpool').select('revision_number').where('id', '=', id).executeTakeFirstOrThrow();
    await trx.updateTable('net_subnetpool').set(bumped(cur)).where('id', '=', id).execute();
    return left;
  });
  return { prefixes: row };
}

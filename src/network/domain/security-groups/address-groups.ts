// Address groups: named sets of CIDRs that security group rules can name as their remote
// (remote_address_group_id). Addresses are stored normalised (network/prefixlen).
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../core/errors.js';
import { pyStr } from '../../../core/policy/py-str.js';
import type { NetworkDeps } from '../../api/deps.js';
import type { Query } from '../../api/list.js';
import { queryValues } from '../../api/list.js';
import type { AddressGroupRow } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { inUse } from '../errors.js';
import { notify } from '../notify.js';
import { enforce } from '../policy.js';
import { assertQuota } from '../quota.js';
import { bumped, checkRevision, newStandard, renderStandard } from '../standard-attrs.js';
import { addressGroupsSharedWithAll, loadVisibleAddressGroup, visibleAddressGroups } from './address-group-access.js';
import { saneFilter } from './ids.js';
import type { Rendered } from './render.js';

export interface AddressGroupAttrs { name?: string; description?: string; addresses?: string[]; project_id: string }

type Db = NetworkDeps['db'];

async function render(db: Db, rows: readonly AddressGroupRow[]): Promise<Rendered[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [addresses, shared] = await Promise.all([
    db.selectFrom('net_address_group_address').selectAll().where('address_group_id', 'in', ids).orderBy('address').execute(),
    addressGroupsSharedWithAll(db, ids),
  ]);
  const byGroup = new Map<string, string[]>();
  for (const a of addresses) byGroup.set(a.address_group_id, [...(byGroup.get(a.address_group_id) ?? []), a.address]);
  return rows.map((r) => ({
    id: r.id, name: r.name, addresses: byGroup.get(r.id) ?? [], shared: shared.has(r.id),
    project_id: r.project_id, tenant_id: r.project_id, ...renderStandard(r),
  }));
}

async function renderOne(db: Db, row: AddressGroupRow): Promise<Rendered> {
  return (await render(db, [row]))[0]!;
}

function targetOf(row: AddressGroupRow, shared = false): Record<string, unknown> {
  return { project_id: row.project_id, tenant_id: row.project_id, name: row.name, shared };
}

export async function createAddressGroup(deps: NetworkDeps, caller: Caller, attrs: AddressGroupAttrs): Promise<Rendered> {
  enforce(deps, caller, 'create_address_group', { ...attrs, tenant_id: attrs.project_id });
  const row: AddressGroupRow = { id: randomUUID(), project_id: attrs.project_id, name: attrs.name ?? '', ...newStandard(attrs.description) };
  const addresses = [...new Set(attrs.addresses ?? [])];
  await inTransaction(deps.db, async (trx) => {
    await assertQuota(trx, deps.config, attrs.project_id, 'address_group');
    await trx.insertInto('net_address_group').values(row).execute();
    if (addresses.length > 0) await trx.insertInto('net_address_group_address').values(addresses.map((address) => ({ address_group_id: row.id, address }))).execute();
  });
  const item = await renderOne(deps.db, row);
  notify(deps, 'address_group.create.end', { address_group: item });
  return item;
}

export async function listAddressGroups(deps: NetworkDeps, caller: Caller, query: Query): Promise<Rendered[]> {
  const rows = await visibleAddressGroups(deps.db, caller, saneFilter(queryValues(query, 'id')));
  return render(deps.db, rows);
}

export async function showAddressGroup(deps: NetworkDeps, caller: Caller, id: string): Promise<Rendered> {
  const row = await loadVisibleAddressGroup(deps.db, caller, id);
  return renderOne(deps.db, row);
}

async function loadForChange(deps: NetworkDeps, caller: Caller, id: string, action: string): Promise<AddressGroupRow> {
  const row = await loadVisibleAddressGroup(deps.db, caller, id);
  const shared = (await addressGroupsSharedWithAll(deps.db, [id])).has(id);
  enforce(deps, caller, action, targetOf(row, shared));
  return row;
}

export async function updateAddressGroup(deps: NetworkDeps, caller: Caller, id: string, attrs: Partial<AddressGroupAttrs>, ifMatch: number | undefined): Promise<Rendered> {
  await loadForChange(deps, caller, id, 'update_address_group');
  const row = await inTransaction(deps.db, async (trx) => {
    const current = await loadVisibleAddressGroup(trx, caller, id);
    checkRevision(ifMatch, current.revision_number);
    const changes = { name: attrs.name ?? current.name, description: attrs.description ?? current.description, ...bumped(current) };
    await trx.updateTable('net_address_group').set(changes).where('id', '=', id).execute();
    return { ...current, ...changes };
  });
  const item = await renderOne(deps.db, row);
  notify(deps, 'address_group.update.end', { address_group: item });
  return item;
}

/** add_addresses / remove_addresses: Neutron refuses the whole change if any address is (not) there. */
export async function changeAddresses(deps: NetworkDeps, caller: Caller, id: string, addresses: readonly string[], adding: boolean): Promise<Rendered> {
  await loadForChange(deps, caller, id, adding ? 'add_addresses' : 'remove_addresses');
  const wanted = [...new Set(addresses)];
  const row = await inTransaction(deps.db, async (trx) => {
    const current = await loadVisibleAddressGroup(trx, caller, id);
    const have = new Set((await trx.selectFrom('net_address_group_address').select('address').where('address_group_id', '=', id).execute()).map((r) => r.address));
    if (adding) {
      const present = wanted.filter((a) => have.has(a));
      if (present.length > 0) throw new ApiError(400, `Addresses ${pyStr(present)} already exist in the address group ${id}.`, 'AddressesAlreadyExist');
      if (wanted.length > 0) await trx.insertInto('net_address_group_address').values(wanted.map((address) => ({ address_group_id: id, address }))).execute();
    } else {
      const missing = wanted.filter((a) => !have.has(a));
      if (missing.length > 0) throw new ApiError(404, `Addresses ${pyStr(missing)} not found in the address group ${id}.`, 'AddressesNotFound');
      if (wanted.length > 0) await trx.deleteFrom('net_address_group_address').where('address_group_id', '=', id).where('address', 'in', wanted).execute();
    }
    const changes = bumped(current);
    await trx.updateTable('net_address_group').set(changes).where('id', '=', id).execute();
    return { ...current, ...changes };
  });
  const item = await renderOne(deps.db, row);
  notify(deps, 'address_group.update.end', { address_group: item });
  return item;
}

export async function deleteAddressGroup(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  await loadForChange(deps, caller, id, 'delete_address_group');
  await inTransaction(deps.db, async (trx) => {
    const current = await loadVisibleAddressGroup(trx, caller, id);
    checkRevision(ifMatch, current.revision_number);
    const used = await trx.selectFrom('net_security_group_rule').select('id').where('remote_address_group_id', '=', id).limit(1).executeTakeFirst();
    if (used !== undefined) throw inUse('AddressGroupInUse', `Address group ${id} is in use on one or more security group rules.`);
    await trx.deleteFrom('net_address_group_address').where('address_group_id', '=', id).execute();
    await trx.deleteFrom('net_rbac_policy').where('object_type', '=', 'address_group').where('object_id', '=', id).execute();
    await trx.deleteFrom('net_address_group').where('id', '=', id).execute();
  });
  notify(deps, 'address_group.delete.end', { address_group_id: id });
}

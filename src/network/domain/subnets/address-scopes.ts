// Address scopes (neutron address_scope_db): CRUD with Neutron's rules — shared is admin-only
// and cannot be undone, and a scope with subnet pools in it cannot be deleted.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../core/errors.js';
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate, parseUpdate } from '../../api/attributes.js';
import type { Item } from '../../api/list.js';
import type { AddressScopeRow } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { notify } from '../notify.js';
import { allowed, enforce, enforceAttributes } from '../policy.js';
import { assertQuota } from '../quota.js';
import { bumped, checkRevision, newStandard, renderStandard } from '../standard-attrs.js';
import { isPlausibleId } from '../networks/access.js';
import { addressScopeNotFound } from './pool-errors.js';
import { ADDRESS_SCOPE_ATTRS } from './subnetpool-attrs.js';

const target = (row: AddressScopeRow): Record<string, unknown> => ({ ...row, tenant_id: row.project_id, shared: row.shared === 1 });

export function renderScope(row: AddressScopeRow): Item {
  return { id: row.id, name: row.name, ip_version: row.ip_version, shared: row.shared === 1, ...renderStandard(row), project_id: row.project_id, tenant_id: row.project_id };
}

async function loadVisible(deps: NetworkDeps, caller: Caller, id: string): Promise<AddressScopeRow> {
  if (!isPlausibleId(id)) throw addressScopeNotFound(String(id));
  const row = await deps.db.selectFrom('net_address_scope').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined || !allowed(deps, caller, 'get_address_scope', target(row))) throw addressScopeNotFound(id);
  return row;
}

export async function createScope(deps: NetworkDeps, caller: Caller, body: Item): Promise<Item> {
  const { attrs: a, given } = parseCreate(body, ADDRESS_SCOPE_ATTRS, caller);
  const row: AddressScopeRow = { id: randomUUID(), project_id: a.project_id as string, name: a.name as string, ip_version: a.ip_version as number, shared: a.shared ? 1 : 0, ...newStandard(a.description) };
  enforce(deps, caller, 'create_address_scope', target(row));
  enforceAttributes(deps, caller, 'create_address_scope', given, target(row));
  await inTransaction(deps.db, async (trx) => {
    await assertQuota(trx, deps.config, row.project_id, 'address_scope');
    await trx.insertInto('net_address_scope').values(row).execute();
  });
  const scope = renderScope(row);
  notify(deps, 'address_scope.create.end', { address_scope: scope });
  return scope;
}

export async function listScopes(deps: NetworkDeps, caller: Caller): Promise<Item[]> {
  const rows = await deps.db.selectFrom('net_address_scope').selectAll().execute();
  return rows.filter((r) => allowed(deps, caller, 'get_address_scope', target(r))).map(renderScope);
}

export async function showScope(deps: NetworkDeps, caller: Caller, id: string): Promise<Item> {
  return renderScope(await loadVisible(deps, caller, id));
}

export async function updateScope(deps: NetworkDeps, caller: Caller, id: string, body: Item, ifMatch: number | undefined): Promise<Item> {
  const visible = await loadVisible(deps, caller, id);
  const u = parseUpdate(body, ADDRESS_SCOPE_ATTRS);
  enforce(deps, caller, 'update_address_scope', target(visible));
  enforceAttributes(deps, caller, 'update_address_scope', Object.keys(u), target(visible));
  const row = await inTransaction(deps.db, async (trx) => {
    const cur = await trx.selectFrom('net_address_scope').selectAll().where('id', '=', id).executeTakeFirst();
    if (cur === undefined) throw addressScopeNotFound(id);
    checkRevision(ifMatch, cur.revision_number);
    if (cur.shared === 1 && u.shared === false) {
      throw new ApiError(400, `Unable to update address scope ${id} : Shared address scope can't be unshared.`, 'AddressScopeUpdateError');
    }
    const changes: Partial<AddressScopeRow> = {
      ...(u.name !== undefined ? { name: u.name as string } : {}),
      ...(u.description !== undefined ? { description: u.description as string } : {}),
      ...(u.shared !== undefined ? { shared: u.shared ? 1 : 0 } : {}),
    };
    await trx.updateTable('net_address_scope').set({ ...changes, ...bumped(cur) }).where('id', '=', id).execute();
    return { ...cur, ...changes, ...bumped(cur) };
  });
  const scope = renderScope(row);
  notify(deps, 'address_scope.update.end', { address_scope: scope });
  return scope;
}

export async function deleteScope(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  const visible = await loadVisible(deps, caller, id);
  enforce(deps, caller, 'delete_address_scope', target(visible));
  await inTransaction(deps.db, async (trx) => {
    checkRevision(ifMatch, visible.revision_number);
    const pool = await trx.selectFrom('net_subnetpool').select('id').where('address_scope_id', '=', id).executeTakeFirst();
    if (pool !== undefined) {
      throw new ApiError(409, `Unable to complete operation on address scope ${id}. There are one or more subnet pools in use on the address scope.`, 'AddressScopeInUse');
    }
    await trx.deleteFrom('net_address_scope').where('id', '=', id).execute();
  });
  notify(deps, 'address_scope.delete.end', { address_scope_id: id });
}

// Role records: global roles (domain_id null) and domain-specific roles. Keystone's one role
// option, `immutable`, forbids changing or deleting a role until it is switched off again.
import type { Kysely } from 'kysely';
import { badRequest, conflict, forbidden, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { IdentityDb, RoleRow } from '../db/schema.js';
import type { IdentityWriteDeps } from './write-deps.js';

export type RoleOptions = Readonly<Record<string, boolean | null>>;

export interface RoleInput {
  name?: string;
  domain_id?: string | null;
  description?: string | null;
  options?: RoleOptions;
  extra?: Record<string, unknown>;
}

export async function findRole(db: Kysely<IdentityDb>, id: string): Promise<RoleRow | undefined> {
  return db.selectFrom('role').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getRole(db: Kysely<IdentityDb>, id: string): Promise<RoleRow> {
  const row = await findRole(db, id);
  if (!row) throw notFound(`Could not find role: ${id}.`);
  return row;
}

export function roleOptions(row: RoleRow): Record<string, unknown> {
  try {
    const value = JSON.parse(row.options) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const isImmutable = (row: RoleRow): boolean => roleOptions(row).immutable === true;

/** Options set to null are removed, as Keystone's resource options do. */
function mergeOptions(current: Record<string, unknown>, changes: RoleOptions): string {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return JSON.stringify(merged);
}

function duplicate(name: string | undefined): never {
  throw conflict(`Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`);
}

export async function createRole(deps: IdentityWriteDeps, input: RoleInput & { name: string }): Promise<RoleRow> {
  const domainId = input.domain_id ?? null;
  if (domainId !== null) {
    const domain = await deps.db.selectFrom('domain').select('id').where('id', '=', domainId).executeTakeFirst();
    if (!domain) throw notFound(`Could not find domain: ${domainId}.`);
  }
  const row: RoleRow = {
    id: newHexId(), name: input.name, domain_id: domainId, description: input.description ?? '',
    options: mergeOptions({}, input.options ?? {}), extra: JSON.stringify(input.extra ?? {}),
  };
  try {
    await deps.db.insertInto('role').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) duplicate(input.name);
    throw err;
  }
  deps.changes.bump();
  return row;
}

export async function updateRole(deps: IdentityWriteDeps, id: string, input: RoleInput): Promise<RoleRow> {
  const current = await getRole(deps.db, id);
  if (isImmutable(current)) {
    // As Keystone: the request may only carry `options`, and must switch the flag off.
    const requested = Object.entries(input).filter(([k, v]) => v !== undefined && !(k === 'extra' && Object.keys(v as object).length === 0));
    const unlock = input.options?.immutable;
    if (requested.length !== 1 || requested[0]![0] !== 'options' || (unlock !== false && unlock !== null)) {
      throw forbidden(`Unable to update immutable role resource: \`${id}. Immutable flag must be set to False before updating.`);
    }
  }
  if (input.domain_id !== undefined && input.domain_id !== current.domain_id) {
    throw badRequest('Update of `domain_id` is not allowed.');
  }
  const changes: Partial<RoleRow> = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.description !== undefined) changes.description = input.description ?? '';
  if (input.options !== undefined) changes.options = mergeOptions(roleOptions(current), input.options);
  if (input.extra !== undefined && Object.keys(input.extra).length > 0) {
    changes.extra = JSON.stringify({ ...JSON.parse(current.extra), ...input.extra });
  }
  if (Object.keys(changes).length > 0) {
    try {
      await deps.db.updateTable('role').set(changes).where('id', '=', id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) duplicate(input.name);
      throw err;
    }
  }
  deps.changes.bump();
  return getRole(deps.db, id);
}

/** Removes the role with its assignments and inference rules; tokens re-read their roles. */
export async function deleteRole(deps: IdentityWriteDeps, id: string): Promise<void> {
  const current = await getRole(deps.db, id);
  if (isImmutable(current)) {
    throw forbidden(`Unable to delete immutable role resource: \`${id}. Immutable flag must be set to False before deletion.`);
  }
  await deps.db.transaction().execute(async (tx) => {
    // Keystone drops the application credentials a user held on a project through this role.
    const holders = await tx.selectFrom('assignment').select(['actor_id', 'target_id'])
      .where('role_id', '=', id).where('type', '=', 'UserProject').execute();
    for (const h of holders) {
      await tx.deleteFrom('application_credential').where('user_id', '=', h.actor_id).where('project_id', '=', h.target_id).execute();
    }
    await tx.deleteFrom('assignment').where('role_id', '=', id).execute();
    await tx.deleteFrom('implied_role').where((eb) => eb.or([eb('prior_role_id', '=', id), eb('implied_role_id', '=', id)])).execute();
    await tx.deleteFrom('role').where('id', '=', id).execute();
  });
  deps.changes.bump();
}

export interface RoleFilter { readonly name?: string; readonly domainId?: string }

/** Without a domain filter only global roles are listed, as in Keystone. */
export async function listRoles(db: Kysely<IdentityDb>, filter: RoleFilter): Promise<RoleRow[]> {
  let q = db.selectFrom('role').selectAll().orderBy('name');
  q = filter.domainId ? q.where('domain_id', '=', filter.domainId) : q.where('domain_id', 'is', null);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  return q.execute();
}

export async function rolesByIds(db: Kysely<IdentityDb>, ids: readonly string[]): Promise<RoleRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('role').selectAll().where('id', 'in', [...new Set(ids)]).orderBy('name').execute();
}

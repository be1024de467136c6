// Which roles a user holds on a scope: direct and group assignments, inherited ones from the
// project's domain and ancestors, then implied roles expanded. Domain-specific roles only ever
// act through implication, so they never appear in a token.
import type { Kysely } from 'kysely';
import type { IdentityDb, RoleRow } from '../db/schema.js';

export type RoleScope = { kind: 'project'; id: string } | { kind: 'domain'; id: string } | { kind: 'system' };

export async function projectAncestors(db: Kysely<IdentityDb>, projectId: string): Promise<{ ids: string[]; domainId: string | undefined }> {
  const ids: string[] = [];
  let domainId: string | undefined;
  let current: string | null = projectId;
  const seen = new Set<string>();
  while (current !== null && !seen.has(current)) {
    seen.add(current);
    const row: { parent_id: string | null; domain_id: string } | undefined = await db.selectFrom('project')
      .select(['parent_id', 'domain_id']).where('id', '=', current).executeTakeFirst();
    if (!row) break;
    domainId = row.domain_id;
    if (current !== projectId) ids.push(current);
    current = row.parent_id;
  }
  return { ids, domainId };
}

export async function assignedRoleIds(db: Kysely<IdentityDb>, userId: string, scope: RoleScope): Promise<Set<string>> {
  const groups = await db.selectFrom('membership').select('group_id').where('user_id', '=', userId).execute();
  const actors = [userId, ...groups.map((g) => g.group_id)];
  let query = db.selectFrom('assignment').select('role_id').where('actor_id', 'in', actors);
  if (scope.kind === 'system') {
    query = query.where('type', 'in', ['UserSystem', 'GroupSystem']).where('target_id', '=', 'system');
  } else if (scope.kind === 'domain') {
    query = query.where('type', 'in', ['UserDomain', 'GroupDomain']).where('target_id', '=', scope.id).where('inherited', '=', 0);
  } else {
    const { ids: ancestors, domainId } = await projectAncestors(db, scope.id);
    query = query.where((eb) => eb.or([
      eb.and([eb('type', 'in', ['UserProject', 'GroupProject']), eb('target_id', '=', scope.id), eb('inherited', '=', 0)]),
      ...(ancestors.length > 0
        ? [eb.and([eb('type', 'in', ['UserProject', 'GroupProject']), eb('target_id', 'in', ancestors), eb('inherited', '=', 1)])]
        : []),
      eb.and([eb('type', 'in', ['UserDomain', 'GroupDomain']), eb('target_id', '=', domainId ?? ''), eb('inherited', '=', 1)]),
    ]));
  }
  const rows = await query.execute();
  return new Set(rows.map((r) => r.role_id));
}

/** Adds every role implied (transitively) by the given ones. */
export async function expandImplied(db: Kysely<IdentityDb>, roleIds: Set<string>): Promise<Set<string>> {
  const result = new Set(roleIds);
  let frontier = [...roleIds];
  while (frontier.length > 0) {
    const rows = await db.selectFrom('implied_role').select('implied_role_id').where('prior_role_id', 'in', frontier).execute();
    frontier = rows.map((r) => r.implied_role_id).filter((id) => !result.has(id));
    for (const id of frontier) result.add(id);
  }
  return result;
}

export async function effectiveRoles(db: Kysely<IdentityDb>, userId: string, scope: RoleScope): Promise<RoleRow[]> {
  const ids = await expandImplied(db, await assignedRoleIds(db, userId, scope));
  if (ids.size === 0) return [];
  const roles = await db.selectFrom('role').selectAll().where('id', 'in', [...ids]).execute();
  return roles.filter((r) => r.domain_id === null).sort((a, b) => a.name.localeCompare(b.name));
}

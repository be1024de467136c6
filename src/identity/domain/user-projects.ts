// The projects a user holds any role on, as Keystone's effective role assignments expand them:
// direct and group assignments, inherited project assignments reaching the whole subtree, and
// inherited domain assignments reaching every project of the domain.
import type { Kysely } from 'kysely';
import type { IdentityDb } from '../db/schema.js';
import { projectSubtree } from './project-hierarchy.js';

export async function projectIdsForUser(db: Kysely<IdentityDb>, userId: string): Promise<Set<string>> {
  const groups = await db.selectFrom('membership').select('group_id').where('user_id', '=', userId).execute();
  const actors = [userId, ...groups.map((g) => g.group_id)];
  const rows = await db.selectFrom('assignment').select(['type', 'target_id', 'inherited'])
    .where('actor_id', 'in', actors)
    .where('type', 'in', ['UserProject', 'GroupProject', 'UserDomain', 'GroupDomain'])
    .execute();
  const ids = new Set<string>();
  for (const row of rows) {
    const onProject = row.type === 'UserProject' || row.type === 'GroupProject';
    if (onProject && !row.inherited) ids.add(row.target_id);
    if (!row.inherited) continue;
    const below = await projectSubtree(db, row.target_id, onProject ? 'project' : 'domain');
    for (const p of below) ids.add(p.id);
  }
  return ids;
}

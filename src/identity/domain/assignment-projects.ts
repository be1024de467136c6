// Project lookups for role assignments: the projects an inherited assignment applies to.
import type { Kysely } from 'kysely';
import type { IdentityDb } from '../db/schema.js';

/** Every project below `projectId` (not itself), breadth first. */
export async function descendantProjectIds(db: Kysely<IdentityDb>, projectId: string): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set([projectId]);
  let frontier = [projectId];
  while (frontier.length > 0) {
    const rows = await db.selectFrom('project').select('id').where('parent_id', 'in', frontier).orderBy('id').execute();
    frontier = rows.map((r) => r.id).filter((id) => !seen.has(id));
    for (const id of frontier) {
      seen.add(id);
      found.push(id);
    }
  }
  return found;
}

export async function domainProjectIds(db: Kysely<IdentityDb>, domainId: string): Promise<string[]> {
  const rows = await db.selectFrom('project').select('id').where('domain_id', '=', domainId).orderBy('id').execute();
  return rows.map((r) => r.id);
}

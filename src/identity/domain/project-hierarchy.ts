// The project hierarchy. Top-level projects store no parent (the column references projects) and
// are shown with their domain as parent, as Keystone does; walks guard against cycles.
import type { Kysely } from 'kysely';
import type { IdentityDb, ProjectRow } from '../db/schema.js';

/** Keystone's default [DEFAULT] max_project_tree_depth: project levels below the domain. */
export const MAX_PROJECT_DEPTH = 5;

/** Ancestors of a project, nearest first; the domain is not included. */
export async function projectParents(db: Kysely<IdentityDb>, project: ProjectRow): Promise<ProjectRow[]> {
  const parents: ProjectRow[] = [];
  const seen = new Set([project.id]);
  let parentId = project.parent_id;
  while (parentId !== null && !seen.has(parentId)) {
    seen.add(parentId);
    const parent = await db.selectFrom('project').selectAll().where('id', '=', parentId).executeTakeFirst();
    if (!parent) break;
    parents.push(parent);
    parentId = parent.parent_id;
  }
  return parents;
}

/** Every project below a project, or (root 'domain') every project of a domain, breadth first. */
export async function projectSubtree(db: Kysely<IdentityDb>, id: string, root: 'project' | 'domain' = 'project'): Promise<ProjectRow[]> {
  if (root === 'domain') return db.selectFrom('project').selectAll().where('domain_id', '=', id).orderBy('name').execute();
  const result: ProjectRow[] = [];
  const seen = new Set([id]);
  let frontier = [id];
  while (frontier.length > 0) {
    const children = await db.selectFrom('project').selectAll().where('parent_id', 'in', frontier).orderBy('name').execute();
    const fresh = children.filter((c) => !seen.has(c.id));
    for (const c of fresh) seen.add(c.id);
    result.push(...fresh);
    frontier = fresh.map((c) => c.id);
  }
  return result;
}

export type IdTree = { [id: string]: IdTree | null };

/** `parents_as_ids`: {parent: {grandparent: {domain: null}}}, ending at the domain as Keystone does. */
export function parentsAsIds(project: ProjectRow, parents: readonly ProjectRow[]): IdTree {
  let tree: IdTree = { [project.domain_id]: null };
  for (let i = parents.length - 1; i >= 0; i--) tree = { [parents[i]!.id]: tree };
  return tree;
}

/** `subtree_as_ids`: nested children ids, null where a project has none (and for a leaf itself). */
export function subtreeAsIds(id: string, subtree: readonly ProjectRow[], domainRoot = false): IdTree | null {
  const byParent = new Map<string, ProjectRow[]>();
  for (const p of subtree) {
    const parent = p.parent_id ?? (domainRoot ? id : p.domain_id);
    byParent.set(parent, [...(byParent.get(parent) ?? []), p]);
  }
  const build = (parentId: string, seen: ReadonlySet<string>): IdTree | null => {
    const children = (byParent.get(parentId) ?? []).filter((c) => !seen.has(c.id));
    if (children.length === 0) return null;
    const tree: IdTree = {};
    for (const c of children) tree[c.id] = build(c.id, new Set([...seen, c.id]));
    return tree;
  };
  return build(id, new Set([id]));
}

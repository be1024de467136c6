// GET /v3/projects/{id}?parents_as_list|parents_as_ids|subtree_as_list|subtree_as_ids. The lists
// hold only projects the caller has a role on, as Keystone filters them; the id trees hold all.
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import type { AuthContext } from '../../core/http/auth-context.js';
import type { ProjectRow } from '../db/schema.js';
import { parentsAsIds, projectParents, projectSubtree, subtreeAsIds } from '../domain/project-hierarchy.js';
import type { ProjectLike } from '../domain/projects.js';
import { projectIdsForUser } from '../domain/user-projects.js';
import type { IdentityDeps } from './deps.js';
import type { Query } from './helpers.js';
import { loadDetails, renderProject } from './resource-render.js';

/** Keystone's query_filter_is_true: present and not "0". */
function flag(query: Query, key: string): boolean {
  const v = query[key];
  if (v === undefined) return false;
  return (Array.isArray(v) ? v[0] : v) !== '0';
}

export async function expandProject(request: FastifyRequest, deps: IdentityDeps, ctx: AuthContext, like: ProjectLike): Promise<Record<string, unknown>> {
  const query = request.query as Query;
  const want = {
    parentsList: flag(query, 'parents_as_list'), parentsIds: flag(query, 'parents_as_ids'),
    subtreeList: flag(query, 'subtree_as_list'), subtreeIds: flag(query, 'subtree_as_ids'),
  };
  if (want.parentsList && want.parentsIds) throw badRequest('Cannot use parents_as_list and parents_as_ids query params at the same time.');
  if (want.subtreeList && want.subtreeIds) throw badRequest('Cannot use subtree_as_list and subtree_as_ids query params at the same time.');
  const out: Record<string, unknown> = {};
  if (!want.parentsList && !want.parentsIds && !want.subtreeList && !want.subtreeIds) return out;

  const visible = want.parentsList || want.subtreeList ? await projectIdsForUser(deps.db, ctx.userId) : new Set<string>();
  const asList = async (rows: ProjectRow[]) => {
    const shown = rows.filter((p) => visible.has(p.id));
    const details = await loadDetails(deps.db, 'project', shown.map((p) => p.id));
    return shown.map((p) => ({ project: renderProject(request, p, details(p.id)) }));
  };
  if (want.parentsList || want.parentsIds) {
    const parents = like.kind === 'project' ? await projectParents(deps.db, like.row) : [];
    if (want.parentsList) out.parents = await asList(parents);
    else out.parents = like.kind === 'project' ? parentsAsIds(like.row, parents) : null;
  }
  if (want.subtreeList || want.subtreeIds) {
    const subtree = await projectSubtree(deps.db, like.row.id, like.kind);
    out.subtree = want.subtreeList ? await asList(subtree) : subtreeAsIds(like.row.id, subtree, like.kind === 'domain');
  }
  return out;
}

// GET /v3/projects (is_domain=true lists the projects acting as domains) and
// GET /v3/users/{user_id}/projects (every project the user holds a role on).
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import { filterByTags, listProjects, type ProjectFilters } from '../domain/project-list.js';
import { projectIdsForUser } from '../domain/user-projects.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, queryBool, queryValue, type Params, type Query } from './helpers.js';
import { loadDetails, renderDomainAsProject, renderProject } from './resource-render.js';
import { tagFilters } from './tag-query.js';

export function registerProjectListRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get('/v3/projects', async (request) => {
    const query = request.query as Query;
    const ctx = await request.requireAuth();
    const filters: ProjectFilters = {
      ...tagFilters(query),
      ...(queryValue(query, 'domain_id') !== undefined ? { domainId: queryValue(query, 'domain_id') } : {}),
      ...(queryValue(query, 'name') !== undefined ? { name: queryValue(query, 'name') } : {}),
      ...(queryBool(query, 'enabled') !== undefined ? { enabled: queryBool(query, 'enabled') } : {}),
      ...(queryValue(query, 'parent_id') !== undefined ? { parentId: queryValue(query, 'parent_id') } : {}),
    };
    await authorize(deps, request, 'identity:list_projects', {
      ...(ctx.domainId ? { target: { domain_id: ctx.domainId } } : {}),
      ...(filters.domainId !== undefined ? { domain_id: filters.domainId } : {}),
    });
    if (queryBool(query, 'is_domain') === true) {
      // Projects acting as domains have no domain and no parent, so those filters match none.
      if (filters.domainId !== undefined || filters.parentId !== undefined || ctx.domainId) return collection(request, 'projects', []);
      let q = deps.db.selectFrom('domain').selectAll().orderBy('name');
      if (filters.name !== undefined) q = q.where('name', '=', filters.name);
      if (filters.enabled !== undefined) q = q.where('enabled', '=', filters.enabled ? 1 : 0);
      const { rows, tags } = await filterByTags(deps.db, 'domain', await q.execute(), filters);
      const details = await loadDetails(deps.db, 'domain', rows.map((d) => d.id), tags);
      return collection(request, 'projects', rows.map((d) => renderDomainAsProject(request, d, details(d.id))));
    }
    // A domain-scoped caller only ever sees its own domain's projects.
    if (ctx.domainId && filters.domainId !== undefined && filters.domainId !== ctx.domainId) return collection(request, 'projects', []);
    const { rows, tags } = await listProjects(deps.db, ctx.domainId ? { ...filters, domainId: ctx.domainId } : filters);
    const details = await loadDetails(deps.db, 'project', rows.map((p) => p.id), tags);
    return collection(request, 'projects', rows.map((p) => renderProject(request, p, details(p.id))));
  });

  app.get('/v3/users/:user_id/projects', async (request) => {
    const { user_id } = request.params as Params;
    const query = request.query as Query;
    await request.requireAuth();
    const user = await deps.db.selectFrom('identity_user').select(['id', 'domain_id']).where('id', '=', user_id!).executeTakeFirst();
    await authorize(deps, request, 'identity:list_user_projects', { user_id, ...(user ? { target: { user } } : {}) });
    // Keystone's effective-assignment lookup reads the user's groups, which fails for no user.
    if (!user) throw notFound(`Could not find user: ${user_id}.`);
    const ids = await projectIdsForUser(deps.db, user_id!);
    if (ids.size === 0) return collection(request, 'projects', []);
    let q = deps.db.selectFrom('project').selectAll().where('id', 'in', [...ids]).orderBy('name');
    const domainId = queryValue(query, 'domain_id');
    if (domainId !== undefined) q = q.where('domain_id', '=', domainId);
    const name = queryValue(query, 'name');
    if (name !== undefined) q = q.where('name', '=', name);
    const enabled = queryBool(query, 'enabled');
    if (enabled !== undefined) q = q.where('enabled', '=', enabled ? 1 : 0);
    const rows = await q.execute();
    const details = await loadDetails(deps.db, 'project', rows.map((p) => p.id));
    return collection(request, 'projects', rows.map((p) => renderProject(request, p, details(p.id))));
  });
}

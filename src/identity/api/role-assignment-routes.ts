// GET /v3/role_assignments: Keystone's filters (user.id, group.id, role.id, scope.project.id,
// scope.domain.id, scope.system, scope.OS-INHERIT:inherited_to) and flags (effective,
// include_names, include_subtree). A domain-scoped caller only sees assignments in its domain.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { badRequest, notFound } from '../../core/errors.js';
import type { AuthContext } from '../../core/http/auth-context.js';
import type { IdentityDb } from '../db/schema.js';
import { listRoleAssignments, type AssignmentFilter, type AssignmentRef } from '../domain/role-assignments.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, queryBool, queryValue, type Query } from './helpers.js';
import { addNames, formatAssignment } from './role-assignment-format.js';

const FILTERS = ['group.id', 'role.id', 'scope.domain.id', 'scope.project.id', 'scope.OS-INHERIT:inherited_to', 'user.id', 'scope.system'];

/** Keystone's flags: present means true unless the value says otherwise. */
const flag = (query: Query, key: string): boolean => queryBool(query, key) === true;

export function parseAssignmentQuery(query: Query): AssignmentFilter & { includeNames: boolean } {
  const q = (key: string) => queryValue(query, key) || undefined;
  if (q('scope.domain.id') && q('scope.project.id')) throw badRequest('Specify a domain or project, not both');
  if (q('scope.domain.id') && q('scope.system')) throw badRequest('Specify system or domain, not both');
  if (q('scope.project.id') && q('scope.system')) throw badRequest('Specify system or project, not both');
  if (q('user.id') && q('group.id')) throw badRequest('Specify a user or group, not both');
  const inheritedTo = queryValue(query, 'scope.OS-INHERIT:inherited_to');
  const inherited = inheritedTo === undefined ? undefined : inheritedTo === 'projects';
  const effective = flag(query, 'effective');
  if (effective && q('group.id')) throw badRequest('Combining effective and group filter will always result in an empty list.');
  if (effective && inherited && q('scope.domain.id')) {
    throw badRequest('Combining effective, domain and inherited filters will always result in an empty list.');
  }
  return {
    userId: q('user.id'), groupId: q('group.id'), roleId: q('role.id'), system: q('scope.system') === 'all',
    domainId: q('scope.domain.id'), projectId: q('scope.project.id'), inherited, effective,
    includeSubtree: flag(query, 'include_subtree'), includeNames: flag(query, 'include_names'),
  };
}

/** Keeps what lies in the domain: domain grants on it and grants on its projects. */
async function withinDomain(db: Kysely<IdentityDb>, refs: AssignmentRef[], domainId: string): Promise<AssignmentRef[]> {
  const ids = [...new Set(refs.flatMap((r) => (r.projectId === undefined ? [] : [r.projectId])))];
  const owned = ids.length === 0 ? new Set<string>()
    : new Set((await db.selectFrom('project').select('id').where('id', 'in', ids).where('domain_id', '=', domainId).execute()).map((p) => p.id));
  return refs.filter((r) => r.domainId === domainId || (r.projectId !== undefined && owned.has(r.projectId)));
}

export function registerRoleAssignmentRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  async function authorizeList(request: FastifyRequest, filter: AssignmentFilter, query: Query): Promise<AuthContext> {
    const ctx = await request.requireAuth();
    const given = Object.fromEntries(FILTERS.flatMap((f) => (queryValue(query, f) === undefined ? [] : [[f, queryValue(query, f)]])));
    if (!filter.includeSubtree) {
      // As Keystone: the caller's own domain is the target, and the result is cut down to it.
      return authorize(deps, request, 'identity:list_role_assignments', { ...given, target: ctx.domainId ? { domain_id: ctx.domainId } : {} });
    }
    const project = filter.projectId === undefined ? undefined
      : await deps.db.selectFrom('project').select(['id', 'domain_id']).where('id', '=', filter.projectId).executeTakeFirst();
    if (filter.projectId !== undefined && !project) throw notFound(`Could not find project: ${filter.projectId}.`);
    const target = project ? { project: { id: project.id, domain_id: project.domain_id }, domain_id: project.domain_id } : {};
    await authorize(deps, request, 'identity:list_role_assignments_for_tree', { ...given, target });
    if (!project) throw badRequest('scope.project.id must be specified if include_subtree is also specified');
    return ctx;
  }

  app.get('/v3/role_assignments', async (request) => {
    const query = request.query as Query;
    const filter = parseAssignmentQuery(query);
    const ctx = await authorizeList(request, filter, query);
    let refs = await listRoleAssignments(deps.db, filter);
    if (ctx.domainId && !filter.includeSubtree) refs = await withinDomain(deps.db, refs, ctx.domainId);
    const entries = refs.map((r) => formatAssignment(request, r));
    if (filter.includeNames) await addNames(deps.db, entries);
    return collection(request, 'role_assignments', entries);
  });
}

// /v3/projects/{id} and POST /v3/projects. An id naming a domain reaches the project acting as
// that domain (is_domain: true), as in Keystone where domains are stored as projects.
import type { FastifyInstance } from 'fastify';
import { badRequest, forbidden, notFound } from '../../core/errors.js';
import { createDomain, deleteDomain, updateDomain, type DomainInput } from '../domain/domains.js';
import { createProject, deleteProject, findProjectLike, getProjectLike, updateProject, type ProjectInput } from '../domain/projects.js';
import type { IdentityDeps } from './deps.js';
import { authorize, type Params } from './helpers.js';
import { expandProject } from './project-expand.js';
import { projectTarget, renderProjectLike } from './project-like.js';
import { parseProject } from './resource-schemas.js';

/** The part of a project update that applies to a domain; the rest must leave it as it is. */
function domainUpdate(input: ProjectInput): DomainInput {
  const { domain_id, parent_id, is_domain, ...rest } = input;
  if (is_domain === false) throw badRequest('Update of `is_domain` is not allowed.');
  if (domain_id !== undefined && domain_id !== null) throw badRequest('Cannot change Domain ID');
  if (parent_id !== undefined && parent_id !== null) throw forbidden('Update of `parent_id` is not allowed.');
  return rest;
}

export function registerProjectRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.post('/v3/projects', async (request, reply) => {
    const input = parseProject(request.body, true);
    const ctx = await request.requireAuth();
    reply.code(201);
    if (input.is_domain) {
      if (input.parent_id) throw badRequest('only root projects are allowed to act as domains.');
      await authorize(deps, request, 'identity:create_project', { target: { project: { name: input.name, is_domain: true } } });
      const { domain_id: _d, parent_id: _p, is_domain: _i, ...rest } = input;
      const domain = await createDomain(deps, { ...rest, name: input.name! });
      return { project: await renderProjectLike(request, deps, { kind: 'domain', row: domain }) };
    }
    // Keystone fills in the domain from the token's scope when the body names none.
    const domainId = input.domain_id ?? ctx.domainId ?? ctx.projectDomainId ?? 'default';
    await authorize(deps, request, 'identity:create_project', {
      target: { project: { name: input.name, domain_id: domainId, parent_id: input.parent_id ?? domainId } },
    });
    const project = await createProject(deps, { ...input, name: input.name!, domain_id: domainId });
    return { project: await renderProjectLike(request, deps, { kind: 'project', row: project }) };
  });

  app.get('/v3/projects/:project_id', async (request) => {
    const { project_id } = request.params as Params;
    const ctx = await request.requireAuth();
    // Authorize before admitting whether the project exists.
    const found = await findProjectLike(deps.db, project_id!);
    await authorize(deps, request, 'identity:get_project', found ? projectTarget(found) : { project_id });
    if (!found) throw notFound(`Could not find project: ${project_id}.`);
    const expansion = await expandProject(request, deps, ctx, found);
    return { project: { ...(await renderProjectLike(request, deps, found)), ...expansion } };
  });

  app.patch('/v3/projects/:project_id', async (request) => {
    const { project_id } = request.params as Params;
    const input = parseProject(request.body, false, project_id);
    await request.requireAuth();
    const like = await getProjectLike(deps.db, project_id!);
    await authorize(deps, request, 'identity:update_project', projectTarget(like));
    const updated = like.kind === 'project'
      ? { kind: 'project' as const, row: await updateProject(deps, like.row.id, input) }
      : { kind: 'domain' as const, row: await updateDomain(deps, like.row.id, domainUpdate(input)) };
    return { project: await renderProjectLike(request, deps, updated) };
  });

  app.delete('/v3/projects/:project_id', async (request, reply) => {
    const { project_id } = request.params as Params;
    await request.requireAuth();
    const like = await getProjectLike(deps.db, project_id!);
    await authorize(deps, request, 'identity:delete_project', projectTarget(like));
    if (like.kind === 'project') await deleteProject(deps, like.row.id);
    else await deleteDomain(deps, like.row.id);
    reply.code(204).send();
  });
}

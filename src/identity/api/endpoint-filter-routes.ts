// /v3/OS-EP-FILTER associations between projects and endpoints or endpoint groups (admin-only).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProjectRow } from '../db/schema.js';
import { endpointsInGroup } from '../domain/endpoint-groups.js';
import {
  addEndpointToProject, addGroupToProject, checkEndpointInProject, checkGroupInProject, endpointsForProject, groupsForProject,
  projectsForEndpoint, projectsForGroup, removeEndpointFromProject, removeGroupFromProject,
} from '../domain/endpoint-filter.js';
import type { IdentityDeps } from './deps.js';
import { renderEndpointGroup } from './endpoint-group-routes.js';
import { renderEndpoint } from './endpoint-routes.js';
import { authorize, collection, selfLink, type Params } from './helpers.js';
import { loadDetails, renderProject } from './resource-render.js';

export function registerEndpointFilterRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = '/v3/OS-EP-FILTER';

  async function projects(request: FastifyRequest, rows: ProjectRow[]) {
    const details = await loadDetails(deps.db, 'project', rows.map((p) => p.id));
    return collection(request, 'projects', rows.map((p) => renderProject(request, p, details(p.id))));
  }

  app.put(`${base}/projects/:project_id/endpoints/:endpoint_id`, async (request, reply) => {
    const { project_id, endpoint_id } = request.params as Params;
    await authorize(deps, request, 'identity:add_endpoint_to_project');
    await addEndpointToProject(deps, project_id!, endpoint_id!);
    reply.code(204).send();
  });

  // Keystone answers both GET and HEAD with 204 when the association exists.
  app.get(`${base}/projects/:project_id/endpoints/:endpoint_id`, async (request, reply) => {
    const { project_id, endpoint_id } = request.params as Params;
    await authorize(deps, request, 'identity:check_endpoint_in_project');
    await checkEndpointInProject(deps.db, project_id!, endpoint_id!);
    reply.code(204).send();
  });

  app.delete(`${base}/projects/:project_id/endpoints/:endpoint_id`, async (request, reply) => {
    const { project_id, endpoint_id } = request.params as Params;
    await authorize(deps, request, 'identity:remove_endpoint_from_project');
    await removeEndpointFromProject(deps, project_id!, endpoint_id!);
    reply.code(204).send();
  });

  app.get(`${base}/projects/:project_id/endpoints`, async (request) => {
    const { project_id } = request.params as Params;
    await authorize(deps, request, 'identity:list_endpoints_for_project');
    const rows = await endpointsForProject(deps.db, project_id!);
    return collection(request, 'endpoints', rows.map((e) => renderEndpoint(request, e)));
  });

  app.get(`${base}/endpoints/:endpoint_id/projects`, async (request) => {
    const { endpoint_id } = request.params as Params;
    await authorize(deps, request, 'identity:list_projects_for_endpoint');
    return projects(request, await projectsForEndpoint(deps.db, endpoint_id!));
  });

  app.get(`${base}/projects/:project_id/endpoint_groups`, async (request) => {
    const { project_id } = request.params as Params;
    await authorize(deps, request, 'identity:list_endpoint_groups_for_project');
    const rows = await groupsForProject(deps.db, project_id!);
    return collection(request, 'endpoint_groups', rows.map((g) => renderEndpointGroup(request, g)));
  });

  app.get(`${base}/endpoint_groups/:endpoint_group_id/endpoints`, async (request) => {
    const { endpoint_group_id } = request.params as Params;
    await authorize(deps, request, 'identity:list_endpoints_associated_with_endpoint_group');
    const rows = await endpointsInGroup(deps.db, endpoint_group_id!);
    return collection(request, 'endpoints', rows.map((e) => renderEndpoint(request, e)));
  });

  app.get(`${base}/endpoint_groups/:endpoint_group_id/projects`, async (request) => {
    const { endpoint_group_id } = request.params as Params;
    await authorize(deps, request, 'identity:list_projects_associated_with_endpoint_group');
    return projects(request, await projectsForGroup(deps.db, endpoint_group_id!));
  });

  const association = `${base}/endpoint_groups/:endpoint_group_id/projects/:project_id`;

  app.get(association, async (request) => {
    const { endpoint_group_id, project_id } = request.params as Params;
    await authorize(deps, request, 'identity:get_endpoint_group_in_project');
    await checkGroupInProject(deps.db, endpoint_group_id!, project_id!);
    return {
      project_endpoint_group: {
        endpoint_group_id, project_id,
        links: selfLink(request, `OS-EP-FILTER/endpoint_groups/${endpoint_group_id}/projects/${project_id}`),
      },
    };
  });

  app.put(association, async (request, reply) => {
    const { endpoint_group_id, project_id } = request.params as Params;
    await authorize(deps, request, 'identity:add_endpoint_group_to_project');
    await addGroupToProject(deps, endpoint_group_id!, project_id!);
    reply.code(204).send();
  });

  app.delete(association, async (request, reply) => {
    const { endpoint_group_id, project_id } = request.params as Params;
    await authorize(deps, request, 'identity:remove_endpoint_group_from_project');
    await removeGroupFromProject(deps, endpoint_group_id!, project_id!);
    reply.code(204).send();
  });
}

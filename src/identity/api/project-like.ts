// Rendering and policy targets shared by every /v3/projects/{id}... handler.
import type { FastifyRequest } from 'fastify';
import type { ProjectLike } from '../domain/projects.js';
import type { IdentityDeps } from './deps.js';
import { loadDetails, renderDomainAsProject, renderProject } from './resource-render.js';

/** Keystone's project target: the project itself, and the id from the URL. */
export function projectTarget(like: ProjectLike): Record<string, unknown> {
  const r = like.row;
  const project = like.kind === 'project'
    ? { id: r.id, name: r.name, domain_id: like.row.domain_id, parent_id: like.row.parent_id ?? like.row.domain_id, enabled: r.enabled === 1, is_domain: false }
    : { id: r.id, name: r.name, enabled: r.enabled === 1, is_domain: true };
  return { project_id: r.id, target: { project } };
}

export async function renderProjectLike(request: FastifyRequest, deps: IdentityDeps, like: ProjectLike): Promise<Record<string, unknown>> {
  const details = (await loadDetails(deps.db, like.kind, [like.row.id]))(like.row.id);
  return like.kind === 'project' ? renderProject(request, like.row, details) : renderDomainAsProject(request, like.row, details);
}

// /v3/projects/{id}/tags[/{tag}]. Every change is a project update, so an immutable project
// refuses it, and the same tag rules apply as in a project body.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../../core/errors.js';
import { baseUrl } from '../../core/http/server.js';
import { updateDomain } from '../domain/domains.js';
import { getProjectLike, updateProject, type ProjectLike } from '../domain/projects.js';
import { isTag, isTagList, loadTags } from '../domain/tags.js';
import type { IdentityDeps } from './deps.js';
import { authorize, type Params } from './helpers.js';
import { projectTarget } from './project-like.js';

export function registerProjectTagRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const tagsOf = async (like: ProjectLike) => (await loadTags(deps.db, like.kind, [like.row.id])).get(like.row.id) ?? [];
  const setTags = async (like: ProjectLike, tags: string[]) =>
    like.kind === 'project' ? updateProject(deps, like.row.id, { tags }) : updateDomain(deps, like.row.id, { tags });
  const body = (request: FastifyRequest, tags: readonly string[]) => ({ tags, links: { self: `${baseUrl(request)}${request.url}` } });

  /** Authenticates, finds the project (404) and enforces `rule` on it. */
  async function authorized(request: FastifyRequest, rule: string): Promise<ProjectLike> {
    const { project_id } = request.params as Params;
    await request.requireAuth();
    const like = await getProjectLike(deps.db, project_id!);
    await authorize(deps, request, rule, projectTarget(like));
    return like;
  }

  app.get('/v3/projects/:project_id/tags', async (request) => {
    const like = await authorized(request, 'identity:list_project_tags');
    return body(request, await tagsOf(like));
  });

  app.put('/v3/projects/:project_id/tags', async (request) => {
    const raw = request.body as Record<string, unknown> | undefined;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest("Invalid input for field 'tags': the request body must be an object.");
    const tags = isTagList(raw.tags, 'tags');
    const like = await authorized(request, 'identity:update_project_tags');
    await setTags(like, tags);
    return body(request, await tagsOf(like));
  });

  app.delete('/v3/projects/:project_id/tags', async (request, reply) => {
    const like = await authorized(request, 'identity:delete_project_tags');
    await setTags(like, []);
    reply.code(204).send();
  });

  app.get('/v3/projects/:project_id/tags/:tag', async (request, reply) => {
    const { tag } = request.params as Params;
    const like = await authorized(request, 'identity:get_project_tag');
    if (!(await tagsOf(like)).includes(tag!)) throw notFound(`Could not find project tag: ${tag}.`);
    reply.code(204).send();
  });

  app.put('/v3/projects/:project_id/tags/:tag', async (request, reply) => {
    const tag = isTag((request.params as Params).tag, 'tag');
    const like = await authorized(request, 'identity:create_project_tag');
    // Keystone validates the grown list as a whole: an existing tag is a duplicate (400).
    const tags = isTagList([...(await tagsOf(like)), tag], 'tags');
    await setTags(like, tags);
    reply.code(201).header('location', `${baseUrl(request)}/v3/projects/${like.row.id}/tags/${encodeURIComponent(tag)}`).send();
  });

  app.delete('/v3/projects/:project_id/tags/:tag', async (request, reply) => {
    const { tag } = request.params as Params;
    const like = await authorized(request, 'identity:delete_project_tag');
    const tags = await tagsOf(like);
    if (!tags.includes(tag!)) throw notFound(`Could not find project tag: ${tag}.`);
    await setTags(like, tags.filter((t) => t !== tag));
    reply.code(204).send();
  });
}

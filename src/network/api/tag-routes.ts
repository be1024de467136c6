// The standard-attr-tag extension: /v2.0/<collection>/<id>/tags[/<tag>] for every taggable
// resource. Reading needs the resource to be visible (shared ones too); changing it needs the
// update rule (owner or admin by default), as Neutron's TaggingController enforces.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { callerFor } from './resource-routes.js';
import { enforce } from '../domain/policy.js';
import { notify } from '../domain/notify.js';
import type { TagResourceType } from '../domain/tags.js';
import {
  addTags, findTaggedResource, listTags, removeTags, replaceTags, TAG_TARGETS, tagNotFound, validateTag, validateTagsBody,
  type TaggedResource,
} from '../domain/tagging.js';

type Action = 'get' | 'create' | 'update' | 'delete';
type Params = { id: string; tag?: string };

export function registerTagRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  for (const type of Object.keys(TAG_TARGETS) as TagResourceType[]) {
    const parent = TAG_TARGETS[type].parent;
    const base = `/v2.0/${type}/:id/tags`;

    /** The resource, after the `<action>_<parent>_tags` policy check. */
    const resolve = async (request: FastifyRequest, action: Action): Promise<TaggedResource> => {
      const caller = await callerFor(deps, request);
      const { id } = request.params as Params;
      const res = await findTaggedResource(deps.db, caller, type, id);
      enforce(deps, caller, `${action}_${parent}_tags`, { id, project_id: res.projectId, tenant_id: res.projectId, shared: res.sharedOnly });
      return res;
    };
    const tagParam = (request: FastifyRequest): string => validateTag((request.params as Params).tag);
    const announce = (event: string, res: TaggedResource, tags?: readonly string[]): void =>
      notify(deps, `tag.${event}.end`, { parent_resource: parent, parent_resource_id: res.id, ...(tags ? { tags } : {}) });

    app.get(base, async (request) => ({ tags: await listTags(deps.db, await resolve(request, 'get')) }));

    app.get(`${base}/:tag`, async (request, reply) => {
      const tag = tagParam(request);
      const res = await resolve(request, 'get');
      if (!(await listTags(deps.db, res)).includes(tag)) throw tagNotFound(tag);
      reply.code(204).send();
    });

    app.put(base, async (request) => {
      const tags = validateTagsBody(request.body);
      const res = await resolve(request, 'update');
      await replaceTags(deps.db, res, tags);
      announce('update', res, tags);
      return { tags };
    });

    app.post(base, async (request, reply) => {
      const tags = validateTagsBody(request.body);
      const res = await resolve(request, 'create');
      await addTags(deps.db, res, tags);
      announce('create', res, tags);
      reply.code(201);
      return { tags: await listTags(deps.db, res) };
    });

    app.put(`${base}/:tag`, async (request, reply) => {
      const tag = tagParam(request);
      const res = await resolve(request, 'update');
      await addTags(deps.db, res, [tag]);
      announce('create', res, [tag]);
      reply.code(201).send();
    });

    app.delete(base, async (request, reply) => {
      const res = await resolve(request, 'delete');
      await removeTags(deps.db, res, undefined);
      announce('delete_all', res);
      reply.code(204).send();
    });

    app.delete(`${base}/:tag`, async (request, reply) => {
      const tag = tagParam(request);
      const res = await resolve(request, 'delete');
      await removeTags(deps.db, res, tag);
      announce('delete', res, [tag]);
      reply.code(204).send();
    });
  }
}

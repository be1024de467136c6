// Smaller image sub-resources: deactivate/reactivate actions, tags and import tasks.
import type { FastifyInstance } from 'fastify';
import { changeActivation } from '../domain/image-actions.js';
import { addTag, deleteTag } from '../domain/image-tags.js';
import { listImageTasks } from '../domain/image-tasks.js';
import type { ImageDeps } from './deps.js';
import { callerFor, renderTask, type Params } from './helpers.js';

export function registerImageExtraRoutes(app: FastifyInstance, deps: ImageDeps): void {
  for (const action of ['deactivate', 'reactivate'] as const) {
    app.post(`/v2/images/:image_id/actions/${action}`, async (request, reply) => {
      const { image_id } = request.params as Params;
      const caller = await callerFor(deps, request);
      await changeActivation(deps, caller, image_id!, action);
      reply.code(204).send();
    });
  }

  app.put('/v2/images/:image_id/tags/:tag', async (request, reply) => {
    const { image_id, tag } = request.params as Params;
    const caller = await callerFor(deps, request);
    await addTag(deps, caller, image_id!, tag!);
    reply.code(204).send();
  });

  app.delete('/v2/images/:image_id/tags/:tag', async (request, reply) => {
    const { image_id, tag } = request.params as Params;
    const caller = await callerFor(deps, request);
    await deleteTag(deps, caller, image_id!, tag!);
    reply.code(204).send();
  });

  app.get('/v2/images/:image_id/tasks', async (request) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    return { tasks: (await listImageTasks(deps, caller, image_id!)).map(renderTask) };
  });
}

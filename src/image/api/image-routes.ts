// /v2/images and /v2/images/{id}: register, list, show, JSON-Patch update, delete.
import type { FastifyInstance } from 'fastify';
import { baseUrl } from '../../core/http/server.js';
import { IMPORT_METHODS, STORE_ID } from '../domain/constants.js';
import { createImage } from '../domain/image-create.js';
import { deleteImage } from '../domain/image-delete.js';
import { enforceOnImage, loadVisibleImage } from '../domain/image-access.js';
import { listImages } from '../domain/image-list.js';
import { updateImage } from '../domain/image-update.js';
import type { ImageDeps } from './deps.js';
import { callerFor, renderImage, type Params } from './helpers.js';
import { parseNewImage } from './image-body.js';
import { parseListQuery } from './image-list-query.js';
import { parsePatch } from './image-patch-body.js';

/** The request's query string without `marker`, for the `first` and `next` links. */
function queryWithout(url: string, key: string): URLSearchParams {
  const params = new URL(url, 'http://localhost').searchParams;
  params.delete(key);
  return params;
}

export function registerImageRoutes(app: FastifyInstance, deps: ImageDeps): void {
  app.post('/v2/images', async (request, reply) => {
    const caller = await callerFor(deps, request);
    const image = await createImage(deps, caller, parseNewImage(request.body));
    reply.code(201)
      .header('location', `${baseUrl(request)}/v2/images/${image.id}`)
      .header('openstack-image-import-methods', IMPORT_METHODS.join(','))
      .header('openstack-image-store-ids', STORE_ID);
    return renderImage(image);
  });

  app.get('/v2/images', async (request) => {
    const caller = await callerFor(deps, request);
    const query = parseListQuery(request.query as Record<string, string | string[]>);
    const { images, more } = await listImages(deps, caller, query);
    const params = queryWithout(request.url, 'marker');
    const first = params.toString() !== '' ? `/v2/images?${params.toString()}` : '/v2/images';
    const body: Record<string, unknown> = { images: images.map(renderImage), first, schema: '/v2/schemas/images' };
    const lastImage = images[images.length - 1];
    if (more && lastImage !== undefined) {
      params.set('marker', lastImage.id);
      body.next = `/v2/images?${params.toString()}`;
    }
    return body;
  });

  app.get('/v2/images/:image_id', async (request) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    const visible = await loadVisibleImage(deps, caller, image_id!);
    enforceOnImage(deps, caller, 'get_image', visible);
    return renderImage(visible.image);
  });

  app.patch('/v2/images/:image_id', async (request) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    const changes = parsePatch(request.headers['content-type'], request.body);
    return renderImage(await updateImage(deps, caller, image_id!, changes));
  });

  app.delete('/v2/images/:image_id', async (request, reply) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    await deleteImage(deps, caller, image_id!);
    reply.code(204).send();
  });
}

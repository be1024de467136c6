// Body parsers the image API adds to the common server: raw streams for image data (never
// buffered, whatever the size) and Glance's JSON-Patch media types.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import { jsonBodyParser } from '../../core/http/json-body.js';
import { PATCH_CONTENT_TYPES } from './image-patch-body.js';
import { OCTET_STREAM } from './data-body.js';

export function registerImageContentTypes(app: FastifyInstance, jsonLimit: number): void {
  // The route reads the stream itself (through the store), so the body limit does not apply.
  app.addContentTypeParser(OCTET_STREAM, (_request, payload, done) => done(null, payload));
  const patchTypes = Object.keys(PATCH_CONTENT_TYPES).map((t) => t.replace(/[.+]/g, '\\$&'));
  app.addContentTypeParser(new RegExp(`^(${patchTypes.join('|')})`), { parseAs: 'string', bodyLimit: jsonLimit }, jsonBodyParser);
}

/**
 * Glance does not fold trailing slashes: GET /v2/images/ is not the image list, it is an image
 * with an empty id, which does not exist (Tempest checks this).
 */
export function refuseTrailingSlashes(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (path.length > 1 && path.endsWith('/') && path !== '/v2/') throw notFound('The resource could not be found.');
  });
}

// Image bytes: PUT/GET /v2/images/{id}/file, PUT …/stage and POST …/import (glance-direct).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { badRequest, conflict } from '../../core/errors.js';
import { IMPORT_METHODS, STORE_ID } from '../domain/constants.js';
import { openImageData } from '../domain/image-download.js';
import { importImage } from '../domain/image-import.js';
import { stageImageData } from '../domain/image-stage.js';
import { uploadImageData } from '../domain/image-upload.js';
import { requireObjectBody } from './image-body.js';
import type { ImageDeps } from './deps.js';
import { rangeOf, uploadOf } from './data-body.js';
import { callerFor, type Params } from './helpers.js';

/** A refused upload may leave unread bytes on the socket: answer, then close it. */
async function closingOnError(reply: FastifyReply, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    reply.header('connection', 'close');
    throw err;
  }
}

function parseImportBody(body: unknown): Record<string, unknown> {
  const raw = requireObjectBody(body, 'import');
  const method = raw.method;
  if (method === undefined) throw badRequest("Import request requires a 'method' field.");
  if (typeof method !== 'object' || method === null || Array.isArray(method)) throw badRequest("Import request requires a 'name' field.");
  const name = (method as Record<string, unknown>).name;
  if (name === undefined) throw badRequest("Import request requires a 'name' field.");
  if (typeof name !== 'string' || !(IMPORT_METHODS as readonly string[]).includes(name)) {
    throw badRequest(`Unknown import method name '${String(name).slice(0, 40)}'.`);
  }
  for (const flag of ['all_stores_must_succeed', 'all_stores']) {
    if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean') throw badRequest(`'${flag}' must be boolean value only`);
  }
  if (raw.stores !== undefined) {
    if (!Array.isArray(raw.stores)) throw badRequest("'stores' must be a list of store identifiers.");
    const unknown = raw.stores.find((s) => s !== STORE_ID);
    if (unknown !== undefined) throw conflict(`Unknown scheme '${String(unknown).slice(0, 40)}' found in URI`);
  }
  return raw;
}

export function registerDataRoutes(app: FastifyInstance, deps: ImageDeps): void {
  app.put('/v2/images/:image_id/file', async (request, reply) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    await closingOnError(reply, () => uploadImageData(deps, caller, image_id!, uploadOf(request)));
    reply.code(204).send();
  });

  app.get('/v2/images/:image_id/file', async (request, reply) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    const download = await openImageData(deps, caller, image_id!, rangeOf(request));
    if (download.kind === 'empty') return reply.code(204).send();
    reply.header('content-type', 'application/octet-stream');
    if (download.kind === 'partial') {
      reply.code(206)
        .header('content-range', `bytes ${download.start}-${download.end}/${download.size}`)
        .header('content-length', String(download.end - download.start + 1));
    } else {
      reply.code(200).header('content-length', String(download.size));
      // Glance's Content-MD5 is the image's hex checksum; openstacksdk compares it with hexdigest().
      if (download.checksum) reply.header('content-md5', download.checksum);
    }
    return reply.send(download.body);
  });

  app.put('/v2/images/:image_id/stage', async (request, reply) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    await closingOnError(reply, () => stageImageData(deps, caller, image_id!, uploadOf(request)));
    reply.code(204).send();
  });

  app.post('/v2/images/:image_id/import', async (request, reply) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    const body = parseImportBody(request.body);
    await importImage(deps, caller, image_id!, { method: 'glance-direct', body, requestId: request.id });
    reply.code(202).send();
  });
}

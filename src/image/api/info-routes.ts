// /v2/info: import methods, the one store, and the caller's quota usage (v2.13).
import type { FastifyInstance } from 'fastify';
import { IMPORT_METHODS, STORE_ID } from '../domain/constants.js';
import { enforce } from '../domain/image-access.js';
import { bytesUsed, imageCount } from '../domain/quotas.js';
import type { ImageDeps } from './deps.js';
import { callerFor } from './helpers.js';

const STORE_DESCRIPTION = 'Local filesystem store under the data directory';

export function registerInfoRoutes(app: FastifyInstance, deps: ImageDeps): void {
  app.get('/v2/info/import', async (request) => {
    await request.requireAuth();
    return { 'import-methods': { description: 'Import methods available.', type: 'array', value: [...IMPORT_METHODS] } };
  });

  app.get('/v2/info/stores', async (request) => {
    await request.requireAuth();
    return { stores: [{ id: STORE_ID, description: STORE_DESCRIPTION, default: true }] };
  });

  app.get('/v2/info/stores/detail', async (request) => {
    const caller = await callerFor(deps, request);
    enforce(deps, caller, 'stores_info_detail', {});
    return {
      stores: [{ id: STORE_ID, type: 'file', description: STORE_DESCRIPTION, default: true, properties: { thin_provisioning: false } }],
    };
  });

  app.get('/v2/info/usage', async (request) => {
    const caller = await callerFor(deps, request);
    const { quotaImageCount, quotaImageSizeBytes } = deps.config.image;
    const staging = await deps.db.selectFrom('image_staged').innerJoin('image', 'image.id', 'image_staged.image_id')
      .select((eb) => eb.fn.sum<number | string | null>('image_staged.size').as('total'))
      .where('image.owner', '=', caller.project ?? '').executeTakeFirstOrThrow();
    const uploading = await deps.db.selectFrom('image').select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('owner', '=', caller.project ?? '').where('status', 'in', ['saving', 'uploading', 'importing']).executeTakeFirstOrThrow();
    return {
      usage: {
        image_size_total: { limit: quotaImageSizeBytes, usage: await bytesUsed(deps.db, caller.project) },
        image_stage_total: { limit: quotaImageSizeBytes, usage: Number(staging.total ?? 0) },
        image_count_total: { limit: quotaImageCount, usage: await imageCount(deps.db, caller.project) },
        image_count_uploading: { limit: -1, usage: Number(uploading.n) },
      },
    };
  });
}

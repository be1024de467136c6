// The createImage action (servers.py _action_create_image): name and metadata validated, the
// create_image policy, the snapshot started (domain/servers/snapshot.ts). 202 with the image's URL
// in Location before 2.45, with {"image_id"} from 2.45.
import { enforce } from '../domain/policy.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import { snapshotServer } from '../domain/servers/snapshot.js';
import type { Ctx, Endpoint } from './router.js';
import { metadataType } from './server-create-schema.js';
import { nameType, validateBody, type Schema } from './validation.js';

const CREATE_IMAGE: Schema = {
  type: 'object',
  properties: {
    createImage: {
      type: 'object',
      properties: { name: nameType, metadata: metadataType },
      required: ['name'],
      additionalProperties: false,
    },
  },
  required: ['createImage'],
  additionalProperties: false,
};

async function createImage(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ createImage: { name: string; metadata?: Record<string, string> } }>(ctx.body, CREATE_IMAGE).createImage;
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:create_image', instanceTarget(row));
  const images = ctx.deps.clients.imageAs(ctx.caller.auth.token, ctx.caller.requestId);
  const image = await snapshotServer(ctx.deps, ctx.caller, images, row, body.name.trim(), body.metadata ?? {});
  if (ctx.mv.atLeast('2.45')) return { image_id: image.id };
  ctx.reply.header('location', `${await images.http.baseUrl()}/images/${image.id}`);
  return undefined;
}

export const SERVER_IMAGE_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  createImage: [{ status: 202, handler: createImage }],
};

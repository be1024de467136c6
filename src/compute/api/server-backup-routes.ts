// The createBackup action (nova/api/openstack/compute/create_backup.py over compute/api.py
// backup): a snapshot whose image says image_type=backup and the backup_type, taken by the host's
// agent (backup_instance), which then deletes this server's oldest backups of that type beyond
// `rotation` (rotation 0 keeps none, the new one included). 202 with the image's URL in Location
// (only when rotation > 0) before 2.45, {"image_id"} from 2.45.
import { enforce } from '../domain/policy.js';
import { INSTANCE_ACTION } from '../domain/servers/instance-actions.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import { snapshotServer } from '../domain/servers/snapshot.js';
import type { Ctx, Endpoint } from './router.js';
import { metadataType } from './server-create-schema.js';
import { nameType, nonNegativeIntegerType, validateBody, type Schema } from './validation.js';

const CREATE_BACKUP: Schema = {
  type: 'object',
  properties: {
    createBackup: {
      type: 'object',
      properties: { name: nameType, backup_type: { type: 'string' }, rotation: nonNegativeIntegerType, metadata: metadataType },
      required: ['name', 'backup_type', 'rotation'],
      additionalProperties: false,
    },
  },
  required: ['createBackup'],
  additionalProperties: false,
};

interface Body { name: string; backup_type: string; rotation: number | string; metadata?: Record<string, string> }

async function createBackup(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ createBackup: Body }>(ctx.body, CREATE_BACKUP).createBackup;
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-create-backup', instanceTarget(row));
  const rotation = Number(body.rotation);
  const images = ctx.deps.clients.imageAs(ctx.caller.auth.token, ctx.caller.requestId);
  // The body's metadata first: backup_type and image_type are the backup's own (compute/api.py backup).
  const properties = { ...body.metadata, backup_type: body.backup_type, image_type: 'backup' };
  const image = await snapshotServer(ctx.deps, ctx.caller, images, row, body.name.trim(), properties, {
    action: INSTANCE_ACTION.BACKUP, taskState: 'image_backup', method: 'backup_instance', args: { backup_type: body.backup_type, rotation },
  });
  if (ctx.mv.atLeast('2.45')) return { image_id: image.id };
  if (rotation > 0) ctx.reply.header('location', `${await images.http.baseUrl()}/images/${image.id}`);
  return undefined;
}

export const SERVER_BACKUP_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  createBackup: [{ status: 202, handler: createBackup }],
};

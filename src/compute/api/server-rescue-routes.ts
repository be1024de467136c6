// rescue / unrescue (nova/api/openstack/compute/rescue.py): the body checked against Nova's
// schema, the os-rescue / os-unrescue policy, then the domain (domain/servers/rescue.ts).
// rescue answers 200 {"adminPass"} (Nova leaves it out when [api] enable_instance_password is
// off; like create and rebuild, this cloud always shows it); unrescue 202.
import { enforce } from '../domain/policy.js';
import { rescueServer, unrescueServer } from '../domain/servers/rescue.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import type { Ctx, Endpoint } from './router.js';
import { uuidOf } from './server-create-schema.js';
import { validateBody, type Schema } from './validation.js';

const RESCUE: Schema = {
  type: 'object',
  properties: {
    rescue: {
      type: ['object', 'null'],
      properties: { adminPass: { type: 'string' }, rescue_image_ref: uuidOf('rescue_image_ref') },
      additionalProperties: false,
    },
  },
  required: ['rescue'],
  additionalProperties: false,
};

async function rescue(ctx: Ctx): Promise<{ adminPass: string }> {
  const body = validateBody<{ rescue: { adminPass?: string; rescue_image_ref?: string } | null }>(ctx.body, RESCUE).rescue ?? {};
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-rescue', instanceTarget(row));
  const adminPass = await rescueServer(ctx.deps, ctx.caller, ctx.caller.auth.token, row, {
    ...(body.adminPass !== undefined ? { adminPass: body.adminPass } : {}),
    ...(body.rescue_image_ref !== undefined ? { rescueImageRef: body.rescue_image_ref } : {}),
  });
  return { adminPass };
}

async function unrescue(ctx: Ctx): Promise<void> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-unrescue', instanceTarget(row));
  await unrescueServer(ctx.deps, ctx.caller, row);
}

export const SERVER_RESCUE_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  rescue: [{ handler: rescue }],
  unrescue: [{ status: 202, handler: unrescue }],
};

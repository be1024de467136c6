// evacuate (nova/api/openstack/compute/evacuate.py): the body checked against Nova's schema for
// the microversion (onSharedStorage required before 2.14 and gone after, force 2.29–2.67), the
// os-evacuate policy, then the domain (domain/servers/evacuate.ts). 200 with {"adminPass"} before
// 2.14 (this cloud always shows it, as for create and rebuild), no body from 2.14.
// Disks here are never on shared storage: onSharedStorage true is refused at once (Nova's compute
// would fail the rebuild later with InvalidSharedStorage).
import { badRequest } from '../../core/errors.js';
import { enforce } from '../domain/policy.js';
import { generatePassword } from '../domain/servers/create.js';
import { startEvacuation } from '../domain/servers/evacuate.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import { BOOLEAN_PARAM, truthy } from './boolean-param.js';
import type { Ctx, Endpoint } from './router.js';
import { validateBody, type Schema } from './validation.js';


interface EvacuateBody { host?: string; adminPass?: string; onSharedStorage?: boolean | string; force?: boolean | string }

function evacuateSchema(ctx: Ctx): Schema {
  const properties: Record<string, Schema> = {
    host: { type: 'string', minLength: 1, maxLength: 255, pattern: /^[a-zA-Z0-9-._]*$/ },
    adminPass: { type: 'string' },
  };
  const required: string[] = [];
  if (!ctx.mv.atLeast('2.14')) { properties.onSharedStorage = BOOLEAN_PARAM; required.push('onSharedStorage'); }
  if (ctx.mv.atLeast('2.29') && !ctx.mv.atLeast('2.68')) properties.force = BOOLEAN_PARAM;
  return {
    type: 'object',
    properties: { evacuate: { type: 'object', properties, required, additionalProperties: false } },
    required: ['evacuate'],
    additionalProperties: false,
  };
}

async function evacuate(ctx: Ctx): Promise<{ adminPass: string } | undefined> {
  const body = validateBody<{ evacuate: EvacuateBody }>(ctx.body, evacuateSchema(ctx)).evacuate;
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-evacuate', instanceTarget(row));
  const host = body.host ?? null;
  const force = truthy(body.force);
  if (force && host === null) throw badRequest("Can't force to a non-provided destination");
  if (truthy(body.onSharedStorage)) {
    if (body.adminPass !== undefined) throw badRequest("admin password can't be changed on existing disk");
    throw badRequest('Invalid state of instance files on shared storage: this cloud keeps disks on local storage.', 'InvalidSharedStorage');
  }
  const adminPass = body.adminPass ?? generatePassword();
  await startEvacuation(ctx.deps, ctx.caller, row, { host, force, adminPass, stopped: ctx.mv.atLeast('2.95') });
  return ctx.mv.atLeast('2.14') ? undefined : { adminPass };
}

export const SERVER_EVACUATE_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  evacuate: [{ status: 200, handler: evacuate }],
};

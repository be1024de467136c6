// shelve, shelveOffload and unshelve (nova/api/openstack/compute/shelve.py), with the unshelve
// body of each microversion (2.77 availability_zone, 2.91 host and a null zone); the work is
// domain/servers/shelve.ts.
import { enforce } from '../domain/policy.js';
import { instanceTarget } from '../domain/servers/lookup.js';
import { authorizedServer } from './server-access.js';
import { shelveOffloadServer, shelveServer, unshelveServer, type UnshelveRequest } from '../domain/servers/shelve.js';
import type { Ctx, Endpoint } from './router.js';
import { validateBody, type Schema } from './validation.js';

const bare = (name: string): Schema => ({ type: 'object', properties: { [name]: {} }, required: [name] });

function unshelveSchema(ctx: Ctx): Schema {
  if (!ctx.mv.atLeast('2.77')) return { type: 'object', properties: { unshelve: { type: 'null' } }, required: ['unshelve'], additionalProperties: false };
  const withHost = ctx.mv.atLeast('2.91');
  const properties: Record<string, Schema> = {
    availability_zone: withHost ? { type: ['string', 'null'], minLength: 1, maxLength: 255 } : { type: 'string', minLength: 1, maxLength: 255 },
    ...(withHost ? { host: { type: 'string', minLength: 1, maxLength: 255 } } : {}),
  };
  return {
    type: 'object',
    properties: { unshelve: { type: ['object', 'null'], properties, additionalProperties: false, minProperties: withHost ? 1 : 0 } },
    required: ['unshelve'],
    additionalProperties: false,
  };
}

async function shelve(ctx: Ctx): Promise<void> {
  validateBody(ctx.body, bare('shelve'));
  const row = await authorizedServer(ctx, 'os_compute_api:os-shelve:shelve');
  await shelveServer(ctx.deps, ctx.caller, ctx.deps.clients.imageAs(ctx.caller.auth.token, ctx.caller.requestId), row);
}

async function shelveOffload(ctx: Ctx): Promise<void> {
  validateBody(ctx.body, bare('shelveOffload'));
  const row = await authorizedServer(ctx, 'os_compute_api:os-shelve:shelve_offload');
  await shelveOffloadServer(ctx.deps, ctx.caller, row);
}

async function unshelve(ctx: Ctx): Promise<void> {
  const body = validateBody<{ unshelve: { availability_zone?: string | null; host?: string } | null }>(ctx.body, unshelveSchema(ctx)).unshelve;
  const row = await authorizedServer(ctx, 'os_compute_api:os-shelve:unshelve');
  if (body?.host !== undefined) enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-shelve:unshelve_to_host', instanceTarget(row));
  const request: UnshelveRequest = {
    ...(body !== null && Object.hasOwn(body, 'availability_zone') ? { availabilityZone: body.availability_zone ?? null } : {}),
    ...(body?.host !== undefined ? { host: body.host } : {}),
  };
  await unshelveServer(ctx.deps, ctx.caller, row, request);
}

export const SERVER_SHELVE_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  shelve: [{ status: 202, handler: shelve }],
  shelveOffload: [{ status: 202, handler: shelveOffload }],
  unshelve: [{ status: 202, handler: unshelve }],
};

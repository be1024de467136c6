// os-services (nova/api/openstack/compute/services.py), admin only:
//   GET    /os-services                 filters host, binary; `id` is the integer id below 2.53 and
//                                       the uuid from 2.53; `forced_down` from 2.11; unknown query
//                                       parameters refused from 2.75; API services left out;
//   PUT    /os-services/{action}        < 2.53: enable, disable, disable-log-reason, force-down (2.11+)
//                                       with {host, binary[, disabled_reason][, forced_down]};
//   PUT    /os-services/{uuid}          2.53+: {status, disabled_reason, forced_down} (compute only);
//   DELETE /os-services/{id}            204; a compute service takes its compute nodes (and their
//                                       Placement providers, when deps carry a PlacementClient) and
//                                       its aggregate memberships with it; 409 while it hosts servers.
import type { PlacementClient } from '../../core/clients/index.js';
import { ApiError, badRequest } from '../../core/errors.js';
import type { ServiceRow } from '../db/schema.js';
import { API_SERVICE_BINARIES, serviceIsUp, zonedServices } from '../domain/availability-zones.js';
import { invalidInput } from '../domain/errors.js';
import { enforce } from '../domain/policy.js';
import {
  deleteService, getServiceById, getServiceByUuid, serviceNotFound, updateService, updateServiceByHostBinary,
} from '../domain/services.js';
import type { ComputeDeps } from './deps.js';
import { novaDateTime } from './render.js';
import type { ComputeRouter, Ctx } from './router.js';
import { booleanType, lastQueryValue, toBoolean, validateBody, validateQuery, type Schema } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-services:${action}`;
const UUID_FOR_ID = '2.53';
const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export const isUuidLike = (text: string): boolean => UUID_LIKE.test(text);

/** The compute API's deps, with the Placement client once the service bootstrap provides one. */
export type DepsWithPlacement = ComputeDeps & { readonly placement?: PlacementClient };

export function renderService(ctx: Ctx, s: ServiceRow, zone: string | undefined, forcedDown: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: ctx.mv.atLeast(UUID_FOR_ID) ? s.uuid : s.id,
    binary: s.binary,
    disabled_reason: s.disabled_reason,
    host: s.host,
    state: serviceIsUp(s, ctx.deps.compute) ? 'up' : 'down',
    status: s.disabled ? 'disabled' : 'enabled',
    updated_at: novaDateTime(s.last_seen_up ?? s.updated_at ?? s.created_at),
    zone,
  };
  if (forcedDown) out.forced_down = s.forced_down === 1;
  return out;
}

const INDEX_QUERY: Readonly<Record<string, Schema>> = { host: { type: 'string' }, binary: { type: 'string' } };

async function index(ctx: Ctx): Promise<unknown> {
  validateQuery(ctx.query, INDEX_QUERY, !ctx.mv.atLeast('2.75'));
  enforce(ctx.deps.policy, ctx.caller, RULE('list'), {});
  const host = lastQueryValue(ctx.query, 'host');
  const binary = lastQueryValue(ctx.query, 'binary');
  const services = (await zonedServices(ctx.deps.db, ctx.deps.compute))
    .filter((s) => !API_SERVICE_BINARIES.includes(s.binary))
    .filter((s) => !host || s.host === host)
    .filter((s) => !binary || s.binary === binary);
  return { services: services.map((s) => renderService(ctx, s, s.availability_zone, ctx.mv.atLeast('2.11'))) };
}

const hostField: Schema = { type: 'string', minLength: 1, maxLength: 255 };
const reasonField: Schema = { type: 'string', minLength: 1, maxLength: 255 };

const LEGACY_SCHEMA: Schema = {
  type: 'object',
  properties: { host: hostField, binary: { type: 'string', minLength: 1, maxLength: 255 }, disabled_reason: reasonField },
  required: ['host', 'binary'],
  additionalProperties: false,
};
const LEGACY_SCHEMA_211: Schema = {
  ...LEGACY_SCHEMA,
  properties: { ...LEGACY_SCHEMA.properties, forced_down: booleanType },
};
const UPDATE_SCHEMA_253: Schema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['enabled', 'disabled'] }, disabled_reason: reasonField, forced_down: booleanType },
  additionalProperties: false,
};

interface LegacyBody { host: string; binary: string; disabled_reason?: string; forced_down?: unknown }

async function legacyUpdate(ctx: Ctx): Promise<unknown> {
  const body = validateBody<LegacyBody>(ctx.body, ctx.mv.atLeast('2.11') ? LEGACY_SCHEMA_211 : LEGACY_SCHEMA);
  enforce(ctx.deps.policy, ctx.caller, RULE('update'), {});
  const action = ctx.params.id!;
  const { host, binary } = body;
  switch (action) {
    case 'enable':
      await updateServiceByHostBinary(ctx.deps.db, host, binary, { disabled: false, disabled_reason: null });
      return { service: { host, binary, status: 'enabled' } };
    case 'disable':
    case 'disable-log-reason': {
      const reason = action === 'disable-log-reason' ? body.disabled_reason : undefined;
      if (action === 'disable-log-reason' && reason === undefined) throw badRequest('Missing disabled reason field');
      await updateServiceByHostBinary(ctx.deps.db, host, binary, { disabled: true, disabled_reason: reason ?? null });
      return { service: { host, binary, status: 'disabled', ...(reason ? { disabled_reason: reason } : {}) } };
    }
    case 'force-down':
      if (ctx.mv.atLeast('2.11')) {
        if (body.forced_down === undefined) throw badRequest('Missing forced_down field');
        const forcedDown = toBoolean(body.forced_down);
        await updateServiceByHostBinary(ctx.deps.db, host, binary, { forced_down: forcedDown });
        return { service: { host, binary, forced_down: forcedDown } };
      }
      break;
    default:
  }
  throw new ApiError(404, 'Unknown action');
}

async function update253(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ status?: 'enabled' | 'disabled'; disabled_reason?: string; forced_down?: unknown }>(ctx.body, UPDATE_SCHEMA_253);
  enforce(ctx.deps.policy, ctx.caller, RULE('update'), {});
  const id = ctx.params.id!;
  if (!isUuidLike(id)) throw badRequest(`Invalid uuid ${id.slice(0, 255)}`);
  const service = await getServiceByUuid(ctx.deps.db, id.toLowerCase());
  if (!service) throw serviceNotFound(id);
  if (service.binary !== 'nova-compute') {
    throw badRequest(`Updating a ${service.binary} service is not supported. Only nova-compute services can be updated.`);
  }
  const { status, disabled_reason: reason, forced_down: forcedDown } = body;
  if (status === undefined && forcedDown === undefined) {
    throw badRequest("No updates were requested. Fields 'status' or 'forced_down' should be specified.");
  }
  if (reason && status !== 'disabled') throw badRequest(`Specifying 'disabled_reason' with status '${status ?? 'None'}' is invalid.`);
  const updated = await updateService(ctx.deps.db, service.id, {
    ...(status === 'disabled' ? { disabled: true, disabled_reason: reason ?? null } : {}),
    ...(status === 'enabled' ? { disabled: false, disabled_reason: null } : {}),
    ...(forcedDown !== undefined ? { forced_down: toBoolean(forcedDown) } : {}),
  });
  if (!updated) throw serviceNotFound(id);
  const zone = (await zonedServices(ctx.deps.db, ctx.deps.compute)).find((s) => s.id === updated.id)?.availability_zone;
  return { service: renderService(ctx, updated, zone, true) };
}

async function destroy(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('delete'), {});
  const id = ctx.params.id!;
  let service: ServiceRow | undefined;
  if (ctx.mv.atLeast(UUID_FOR_ID)) {
    if (!isUuidLike(id)) throw badRequest(`Invalid uuid ${id.slice(0, 255)}`);
    service = await getServiceByUuid(ctx.deps.db, id.toLowerCase());
  } else {
    if (!/^-?\d+$/.test(id.trim()) || !Number.isSafeInteger(Number(id))) throw invalidInput('id must be an integer');
    service = await getServiceById(ctx.deps.db, Number(id));
  }
  if (!service) throw serviceNotFound(id);
  const deleted = await deleteService(ctx.deps.db, service.id);
  if (!deleted) throw serviceNotFound(id);
  const placement = (ctx.deps as DepsWithPlacement).placement;
  if (placement !== undefined) {
    for (const node of deleted.nodes) {
      try {
        await placement.withRequestId(ctx.request.id).deleteResourceProvider(node.uuid);
      } catch (err) {
        ctx.request.log.warn({ err, provider: node.uuid }, 'could not delete the resource provider of a deleted compute node');
      }
    }
  }
  return undefined;
}

export function registerServiceRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-services', { handler: index });
  router.route('PUT', '/os-services/:id', { max: '2.52', handler: legacyUpdate }, { min: UUID_FOR_ID, handler: update253 });
  router.route('DELETE', '/os-services/:id', { status: 204, handler: destroy });
}

// Resize, migrate, confirmResize and revertResize (servers.py _action_resize,
// _action_confirm_resize, _action_revert_resize; migrate_server.py _migrate), validated as
// Nova's schemas do; the work is domain/servers/resize.ts.
import { enforce } from '../domain/policy.js';
import { extraSpecs } from '../domain/flavors.js';
import { findFlavor, flavorSnapshot } from '../domain/servers/create.js';
import { instanceTarget } from '../domain/servers/lookup.js';
import { authorizedServer } from './server-access.js';
import { confirmResize, revertResize, startMove } from '../domain/servers/resize.js';
import { startLiveMigration } from '../domain/servers/live-migrate.js';
import type { FlavorSnapshot } from '../rpc/compute-protocol.js';
import { truthy } from './boolean-param.js';
import type { Ctx, Endpoint } from './router.js';
import { validateBody, type Schema } from './validation.js';

const RESIZE: Schema = {
  type: 'object',
  properties: {
    resize: {
      type: 'object',
      properties: {
        flavorRef: { type: ['string', 'integer'], minLength: 1 },
        'OS-DCF:diskConfig': { type: 'string', enum: ['AUTO', 'MANUAL'] },
      },
      required: ['flavorRef'],
      additionalProperties: false,
    },
  },
  required: ['resize'],
  additionalProperties: false,
};

// Before 2.56 Nova validates no migrate body at all ({"migrate": {}} and null both do).
const migrateSchema = (withHost: boolean): Schema => ({
  type: 'object',
  properties: {
    migrate: withHost
      ? { type: ['object', 'null'], properties: { host: { type: ['string', 'null'], minLength: 1, maxLength: 255 } }, additionalProperties: false }
      : { type: ['object', 'null'] },
  },
  required: ['migrate'],
});

// confirmResize / revertResize take no arguments; Nova ignores what the body carries.
const bareAction = (name: string): Schema => ({ type: 'object', properties: { [name]: {} }, required: [name] });

async function resize(ctx: Ctx): Promise<void> {
  const body = validateBody<{ resize: { flavorRef: string | number } }>(ctx.body, RESIZE);
  const row = await authorizedServer(ctx, 'os_compute_api:servers:resize');
  const flavor = await findFlavor(ctx.deps, ctx.caller, String(body.resize.flavorRef));
  await startMove(ctx.deps, ctx.caller, row, { type: 'resize', flavor: flavorSnapshot(flavor, await extraSpecs(ctx.deps.db, flavor)), host: null });
}

async function migrate(ctx: Ctx): Promise<void> {
  const body = validateBody<{ migrate: { host?: string | null } | null }>(ctx.body, migrateSchema(ctx.mv.atLeast('2.56')));
  const row = await authorizedServer(ctx, 'os_compute_api:os-migrate-server:migrate');
  const host = ctx.mv.atLeast('2.56') ? body.migrate?.host ?? null : null;
  if (host !== null) enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-migrate-server:migrate:host', instanceTarget(row));
  await startMove(ctx.deps, ctx.caller, row, { type: 'migration', flavor: JSON.parse(row.flavor) as FlavorSnapshot, host });
}

async function confirm(ctx: Ctx): Promise<void> {
  validateBody(ctx.body, bareAction('confirmResize'));
  const row = await authorizedServer(ctx, 'os_compute_api:servers:confirm_resize');
  await confirmResize(ctx.deps, ctx.caller, row);
}

async function revert(ctx: Ctx): Promise<void> {
  validateBody(ctx.body, bareAction('revertResize'));
  const row = await authorizedServer(ctx, 'os_compute_api:servers:revert_resize');
  await revertResize(ctx.deps, ctx.caller, row);
}

const boolish = { type: ['boolean', 'string'] } as const;

/** os-migrateLive's body by microversion (migrate_server.py schemas). */
function liveSchema(ctx: Ctx): Schema {
  const blockMigration = ctx.mv.atLeast('2.25') ? { type: ['boolean', 'string'], enum: [true, false, 'auto', 'True', 'False', 'true', 'false'] } : boolish;
  const properties: Record<string, Schema> = { host: { type: ['string', 'null'], minLength: 1, maxLength: 255 }, block_migration: blockMigration as Schema };
  const required = ['host', 'block_migration'];
  if (!ctx.mv.atLeast('2.25')) { properties.disk_over_commit = boolish as Schema; required.push('disk_over_commit'); }
  if (ctx.mv.atLeast('2.30') && !ctx.mv.atLeast('2.68')) properties.force = { type: ['boolean', 'string'] };
  return {
    type: 'object',
    properties: { 'os-migrateLive': { type: 'object', properties, required, additionalProperties: false } },
    required: ['os-migrateLive'],
    additionalProperties: false,
  };
}

async function migrateLive(ctx: Ctx): Promise<void> {
  const body = validateBody<{ 'os-migrateLive': { host: string | null; force?: boolean | string } }>(ctx.body, liveSchema(ctx))['os-migrateLive'];
  const row = await authorizedServer(ctx, 'os_compute_api:os-migrate-server:migrate_live');
  const force = truthy(body.force);
  // Before 2.30 a named host was always forced (no scheduler check), as Nova did.
  await startLiveMigration(ctx.deps, ctx.caller, row, { host: body.host, force: body.host !== null && (force || !ctx.mv.atLeast('2.30')) });
}

export const SERVER_MOVE_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  resize: [{ status: 202, handler: resize }],
  migrate: [{ status: 202, handler: migrate }],
  confirmResize: [{ status: 204, handler: confirm }],
  revertResize: [{ status: 202, handler: revert }],
  'os-migrateLive': [{ status: 202, handler: migrateLive }],
};

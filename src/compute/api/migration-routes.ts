// os-migrations and a server's migrations (nova/api/openstack/compute/migrations.py,
// server_migrations.py), admin only:
//   GET /os-migrations                      every move, newest first; filters host (source or
//                                           destination), status, instance_uuid, migration_type
//                                           (2.23), source_compute; 2.59 uuid + limit/marker;
//                                           2.80 user_id / project_id
//   GET /servers/{id}/migrations[/{mid}]    (2.23) the server's live migrations in progress
import { ApiError } from '../../core/errors.js';
import type { MigrationRow } from '../db/schema.js';
import { enforce } from '../domain/policy.js';
import { visibleInstance } from '../domain/servers/lookup.js';
import { novaDateTime } from './render.js';
import type { ComputeRouter, Ctx } from './router.js';
import { lastQueryValue } from './validation.js';

const LIVE_IN_PROGRESS = ['accepted', 'queued', 'preparing', 'running', 'post-migrating'];

function renderMigration(m: MigrationRow, ctx: Ctx): Record<string, unknown> {
  return {
    id: m.id, instance_uuid: m.instance_uuid, status: m.status,
    source_compute: m.source_compute, source_node: m.source_node, dest_compute: m.dest_compute, dest_node: m.dest_node, dest_host: m.dest_host,
    old_instance_type_id: m.old_instance_type_id, new_instance_type_id: m.new_instance_type_id,
    created_at: novaDateTime(m.created_at), updated_at: novaDateTime(m.updated_at),
    ...(ctx.mv.atLeast('2.23') ? { migration_type: m.migration_type } : {}),
    ...(ctx.mv.atLeast('2.59') ? { uuid: m.uuid } : {}),
    ...(ctx.mv.atLeast('2.80') ? { user_id: m.user_id, project_id: m.project_id } : {}),
  };
}

/** A server's live migration in progress (server_migrations.py): its progress counters too. */
function renderServerMigration(m: MigrationRow, ctx: Ctx): Record<string, unknown> {
  const num = (v: number | null): number | null => (v === null ? null : Number(v));
  return {
    ...renderMigration(m, ctx), server_uuid: m.instance_uuid,
    memory_total_bytes: num(m.memory_total), memory_processed_bytes: num(m.memory_processed), memory_remaining_bytes: num(m.memory_remaining),
    disk_total_bytes: num(m.disk_total), disk_processed_bytes: num(m.disk_processed), disk_remaining_bytes: num(m.disk_remaining),
  };
}

async function listMigrations(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-migrations:index', {});
  const q = (name: string) => lastQueryValue(ctx.query, name);
  let query = ctx.deps.db.selectFrom('nova_migration').selectAll().where('deleted', '=', 0);
  const host = q('host');
  if (host !== undefined) query = query.where((eb) => eb.or([eb('source_compute', '=', host), eb('dest_compute', '=', host)]));
  for (const [param, column] of [['status', 'status'], ['instance_uuid', 'instance_uuid'], ['source_compute', 'source_compute'], ['migration_type', 'migration_type']] as const) {
    const value = q(param);
    if (value !== undefined) query = query.where(column, '=', value);
  }
  if (ctx.mv.atLeast('2.80')) {
    const user = q('user_id');
    const project = q('project_id');
    if (user !== undefined) query = query.where('user_id', '=', user);
    if (project !== undefined) query = query.where('project_id', '=', project);
  }
  let rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  if (ctx.mv.atLeast('2.59')) {
    const marker = q('marker');
    if (marker !== undefined) {
      const at = rows.findIndex((r) => r.uuid === marker);
      if (at < 0) throw new ApiError(400, `Marker ${marker} could not be found.`, 'MarkerNotFound');
      rows = rows.slice(at + 1);
    }
    const limit = q('limit');
    if (limit !== undefined) {
      const n = Number(limit);
      if (!Number.isSafeInteger(n) || n < 0) throw new ApiError(400, `Invalid input for query parameters limit. Value: ${limit}.`);
      rows = rows.slice(0, n);
    }
  }
  return { migrations: rows.map((m) => renderMigration(m, ctx)) };
}

async function serverLiveMigrations(ctx: Ctx): Promise<MigrationRow[]> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  return ctx.deps.db.selectFrom('nova_migration').selectAll().where('instance_uuid', '=', row.uuid).where('deleted', '=', 0)
    .where('migration_type', '=', 'live-migration').where('status', 'in', LIVE_IN_PROGRESS).orderBy('id', 'desc').execute();
}

export function registerMigrationRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-migrations', { handler: listMigrations });
  router.route('GET', '/servers/:server_id/migrations', {
    min: '2.23',
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:migrations:index', {});
      return { migrations: (await serverLiveMigrations(ctx)).map((m) => renderServerMigration(m, ctx)) };
    },
  });
  router.route('GET', '/servers/:server_id/migrations/:migration_id', {
    min: '2.23',
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:migrations:show', {});
      const found = (await serverLiveMigrations(ctx)).find((m) => String(m.id) === ctx.params.migration_id);
      if (!found) throw new ApiError(404, `In-progress live migration ${ctx.params.migration_id} is not found for server ${ctx.params.server_id}.`, 'MigrationNotFoundForInstance');
      return { migration: renderServerMigration(found, ctx) };
    },
  });
}

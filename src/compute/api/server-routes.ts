// Servers (nova/api/openstack/compute/servers.py): GET /servers, /servers/detail,
// /servers/{id}; PUT /servers/{id} (200, the full view from 2.75, the base fields before);
// DELETE /servers/{id} (204). Creation and actions live in their own modules.
import type { InstanceRow } from '../db/schema.js';
import { enforce, ownTarget } from '../domain/policy.js';
import { deleteServer } from '../domain/servers/delete.js';
import { listServers } from '../domain/servers/list.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import { serverChanges, updateServer } from '../domain/servers/update.js';
import type { ComputeRouter, Ctx } from './router.js';
import { loadServerExtras, renderServer, renderServerBrief } from './server-view.js';

async function page(ctx: Ctx, detail: boolean): Promise<{ rows: InstanceRow[]; limit: number }> {
  return listServers({
    db: ctx.deps.db, policy: ctx.deps.policy, caller: ctx.caller, mv: ctx.mv, query: ctx.query, detail,
    maxLimit: ctx.deps.compute.maxLimit,
  });
}

function withLinks(ctx: Ctx, collection: string, servers: Record<string, unknown>[], rows: InstanceRow[], limit: number): Record<string, unknown> {
  const links = ctx.links.collection(collection, ctx.query, limit, rows.length, rows[rows.length - 1]?.uuid);
  return links.length > 0 ? { servers, servers_links: links } : { servers };
}

async function index(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:index', ownTarget(ctx.caller));
  const { rows, limit } = await page(ctx, false);
  return withLinks(ctx, 'servers', rows.map((r) => renderServerBrief(ctx, r)), rows, limit);
}

async function detail(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:detail', ownTarget(ctx.caller));
  const { rows, limit } = await page(ctx, true);
  const extras = await loadServerExtras(ctx.deps.db, rows);
  return withLinks(ctx, 'servers/detail', rows.map((r) => renderServer(ctx, r, extras.get(r.uuid)!)), rows, limit);
}

async function show(ctx: Ctx): Promise<unknown> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:show', { project_id: row.project_id });
  const serverGroups = ctx.mv.atLeast('2.71');
  const extras = await loadServerExtras(ctx.deps.db, [row], { serverGroups });
  return { server: renderServer(ctx, row, extras.get(row.uuid)!, { serverGroups }) };
}

async function update(ctx: Ctx): Promise<unknown> {
  const changes = serverChanges(ctx.body, ctx.mv);
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:update', instanceTarget(row));
  const updated = await updateServer(ctx.deps.db, row.uuid, changes);
  const serverGroups = ctx.mv.atLeast('2.71');
  const extras = await loadServerExtras(ctx.deps.db, [updated], { serverGroups });
  // 2.75: PUT answers with everything GET shows.
  return { server: renderServer(ctx, updated, extras.get(updated.uuid)!, { full: ctx.mv.atLeast('2.75'), serverGroups }) };
}

async function remove(ctx: Ctx): Promise<unknown> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:delete', instanceTarget(row));
  await deleteServer(ctx.deps, ctx.caller, row);
  return undefined;
}

export function registerServerRoutes(router: ComputeRouter): void {
  router.route('GET', '/servers', { handler: index });
  router.route('GET', '/servers/detail', { handler: detail });
  router.route('GET', '/servers/:server_id', { handler: show });
  router.route('PUT', '/servers/:server_id', { handler: update });
  router.route('DELETE', '/servers/:server_id', { status: 204, handler: remove });
}

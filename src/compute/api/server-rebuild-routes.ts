// The rebuild action (servers.py _action_rebuild): the body validated against the microversion's
// schema, the rebuild policy, then the domain (domain/servers/rebuild.ts). 202 with the server as
// PUT shows it (everything GET shows from 2.75) and its adminPass.
import { enforce } from '../domain/policy.js';
import { rebuildServer, type RebuildInput } from '../domain/servers/rebuild.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import type { Ctx, Endpoint } from './router.js';
import { rebuildSchema } from './server-create-schema.js';
import { loadServerExtras, renderServer } from './server-view.js';
import { validateBody } from './validation.js';

interface RebuildBody {
  imageRef: string;
  name?: string;
  adminPass?: string;
  metadata?: Record<string, string>;
  accessIPv4?: string;
  accessIPv6?: string;
  description?: string | null;
  key_name?: string | null;
  user_data?: string | null;
  hostname?: string;
}

async function rebuild(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ rebuild: RebuildBody }>(ctx.body, rebuildSchema(ctx.mv)).rebuild;
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:rebuild', instanceTarget(row));
  const input: RebuildInput = {
    imageRef: body.imageRef,
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.adminPass !== undefined ? { adminPass: body.adminPass } : {}),
    ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
    ...(body.accessIPv4 !== undefined ? { accessIPv4: body.accessIPv4 } : {}),
    ...(body.accessIPv6 !== undefined ? { accessIPv6: body.accessIPv6 } : {}),
    ...(Object.hasOwn(body, 'description') ? { description: body.description ?? null } : {}),
    ...(Object.hasOwn(body, 'key_name') ? { keyName: body.key_name ?? null } : {}),
    ...(Object.hasOwn(body, 'user_data') ? { userData: body.user_data ?? null } : {}),
    ...(body.hostname !== undefined ? { hostname: body.hostname } : {}),
  };
  const { row: rebuilt, adminPass } = await rebuildServer(ctx.deps, ctx.caller, ctx.caller.auth.token, row, input);
  const serverGroups = ctx.mv.atLeast('2.71');
  const extras = await loadServerExtras(ctx.deps.db, [rebuilt], { serverGroups });
  const server: Record<string, unknown> = { ...renderServer(ctx, rebuilt, extras.get(rebuilt.uuid)!, { full: ctx.mv.atLeast('2.75'), serverGroups }), adminPass };
  // 2.54: the rebuild answer names the key pair (it may have changed).
  if (ctx.mv.atLeast('2.54')) server.key_name = rebuilt.key_name;
  // 2.57: the rebuild answer carries the user data itself (and not as the extended attribute).
  if (ctx.mv.atLeast('2.57')) {
    delete server['OS-EXT-SRV-ATTR:user_data'];
    server.user_data = rebuilt.user_data;
  }
  return { server };
}

export const SERVER_REBUILD_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  rebuild: [{ status: 202, handler: rebuild }],
};

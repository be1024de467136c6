// The first two steps of every server action: the server of the path as the caller may see it
// (404 otherwise), then the action's policy on it (403).
import type { InstanceRow } from '../db/schema.js';
import { enforce } from '../domain/policy.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import type { Ctx } from './router.js';

export async function authorizedServer(ctx: Ctx, rule: string): Promise<InstanceRow> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, rule, instanceTarget(row));
  return row;
}

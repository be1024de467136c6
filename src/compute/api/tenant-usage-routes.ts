// os-simple-tenant-usage (nova/api/openstack/compute/simple_tenant_usage.py): every project's
// usage for a period (admins) and one project's (its readers). `start`/`end` default to now;
// `detailed=1` adds the per-server lines to the list (the show always has them). From 2.40 the
// servers are paged with limit and marker (a server uuid), with a `next` link when a page is full.
import { ApiError, badRequest } from '../../core/errors.js';
import { enforce, ownTarget } from '../domain/policy.js';
import { serversInPeriod, tenantUsages, usagePeriod, type TenantUsage } from '../domain/usage.js';
import type { ComputeRouter, Ctx } from './router.js';
import { lastQueryValue } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-simple-tenant-usage:${action}`;

/** The page asked for from 2.40: at most max_limit servers after the marker's. */
async function page(ctx: Ctx): Promise<{ limit?: number; afterId?: number }> {
  if (!ctx.mv.atLeast('2.40')) return {};
  const rawLimit = lastQueryValue(ctx.query, 'limit');
  let limit = ctx.deps.compute.maxLimit;
  if (rawLimit !== undefined) {
    if (!/^\d+$/.test(rawLimit)) throw badRequest(`Invalid input for query parameters limit. Value: ${rawLimit}. '${rawLimit}' does not match '^[0-9]*$'`);
    limit = Math.min(Number(rawLimit), ctx.deps.compute.maxLimit);
  }
  const marker = lastQueryValue(ctx.query, 'marker');
  if (marker === undefined) return { limit };
  const row = await ctx.deps.db.selectFrom('nova_instance').select('id').where('uuid', '=', marker).executeTakeFirst();
  if (!row) throw badRequest(`Marker ${marker} could not be found.`, 'MarkerNotFound');
  return { limit, afterId: row.id };
}

function period(ctx: Ctx) {
  return usagePeriod(lastQueryValue(ctx.query, 'start'), lastQueryValue(ctx.query, 'end'));
}

async function list(ctx: Ctx): Promise<unknown> {
  // `/os-simple-tenant-usage/` is the show of an empty tenant id in Nova's router (404), not the
  // list our trailing-slash-tolerant router would make of it.
  if (ctx.request.url.split('?')[0]!.endsWith('/')) throw new ApiError(404, 'The resource could not be found.');
  enforce(ctx.deps.policy, ctx.caller, RULE('list'), ownTarget(ctx.caller));
  const when = period(ctx);
  const paging = await page(ctx);
  const rows = await serversInPeriod(ctx.deps.db, when, paging);
  const detailed = lastQueryValue(ctx.query, 'detailed') === '1';
  const usages = tenantUsages(rows, when).map((u): Partial<TenantUsage> => {
    if (detailed) return u;
    const { server_usages: _servers, ...summary } = u;
    return summary;
  });
  const out: Record<string, unknown> = { tenant_usages: usages };
  if (paging.limit !== undefined) {
    const links = ctx.links.collection('os-simple-tenant-usage', ctx.query, paging.limit, rows.length, rows.at(-1)?.uuid);
    if (links.length > 0) out.tenant_usages_links = links;
  }
  return out;
}

async function show(ctx: Ctx): Promise<unknown> {
  const projectId = ctx.params.tenant_id!;
  enforce(ctx.deps.policy, ctx.caller, RULE('show'), { project_id: projectId });
  const when = period(ctx);
  const paging = await page(ctx);
  const rows = await serversInPeriod(ctx.deps.db, when, { projectId, ...paging });
  const out: Record<string, unknown> = { tenant_usage: tenantUsages(rows, when)[0] ?? {} };
  if (paging.limit !== undefined) {
    const links = ctx.links.collection(`os-simple-tenant-usage/${projectId}`, ctx.query, paging.limit, rows.length, rows.at(-1)?.uuid);
    if (links.length > 0) out.tenant_usage_links = links;
  }
  return out;
}

export function registerTenantUsageRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-simple-tenant-usage', { handler: list });
  router.route('GET', '/os-simple-tenant-usage/:tenant_id', { handler: show });
}

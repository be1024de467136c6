// Per-project quota limits as Neutron's DbQuotaDriver keeps them: a net_quota row overrides the
// configured default of one resource; deleting a project's rows returns it to the defaults.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import { ApiError } from '../../core/errors.js';
import type { NetworkDb } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { badAttribute } from './errors.js';
import { quotaUsage } from './quota.js';

type Db = Kysely<NetworkDb>;
export type Limits = Record<string, number>;

/** Neutron stores limits in an INTEGER column (DB_INTEGER_MAX_VALUE). */
export const MAX_LIMIT = 2 ** 31 - 1;

export function quotaResources(config: NimbusConfig): string[] {
  return Object.keys(config.network.quotas);
}

export function defaultLimits(config: NimbusConfig): Limits {
  return { ...config.network.quotas };
}

/** Project ids are opaque strings; ones that could never be stored are refused. */
export function checkProjectId(id: string): void {
  if (id.length === 0 || id.length > 255 || id.includes('\u0000')) throw badAttribute(`Invalid project id '${id.slice(0, 64)}'`);
}

export async function projectLimits(db: Db, config: NimbusConfig, projectId: string): Promise<Limits> {
  const limits = defaultLimits(config);
  const rows = await db.selectFrom('net_quota').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute();
  for (const row of rows) if (row.resource in limits) limits[row.resource] = row.hard_limit;
  return limits;
}

/** Every project with at least one non-default limit, with its full set (GET /v2.0/quotas). */
export async function allProjectLimits(db: Db, config: NimbusConfig): Promise<Record<string, unknown>[]> {
  const rows = await db.selectFrom('net_quota').select(['project_id', 'resource', 'hard_limit']).execute();
  const byProject = new Map<string, Limits>();
  for (const row of rows) {
    if (!(row.resource in config.network.quotas)) continue;
    const limits = byProject.get(row.project_id) ?? defaultLimits(config);
    limits[row.resource] = row.hard_limit;
    byProject.set(row.project_id, limits);
  }
  return [...byProject.entries()].map(([projectId, limits]) => ({ ...limits, project_id: projectId, tenant_id: projectId }));
}

export async function quotaDetails(db: Db, config: NimbusConfig, projectId: string): Promise<Record<string, { limit: number; used: number; reserved: number }>> {
  const limits = await projectLimits(db, config, projectId);
  const out: Record<string, { limit: number; used: number; reserved: number }> = {};
  for (const [resource, limit] of Object.entries(limits)) out[resource] = { limit, used: await quotaUsage(db, projectId, resource), reserved: 0 };
  return out;
}

/**
 * Sets the given limits. With `checkLimit`, a limit below current usage is refused (Neutron's
 * check_limit): "Quota limit 1 for port must be greater than or equal to already used 3".
 */
export async function setLimits(db: Db, projectId: string, limits: Limits, checkLimit: boolean): Promise<void> {
  await inTransaction(db, async (trx) => {
    for (const [resource, limit] of Object.entries(limits)) {
      if (checkLimit && limit >= 0) {
        const used = await quotaUsage(trx, projectId, resource);
        if (used > limit) throw badAttribute(`Quota limit ${limit} for ${resource} must be greater than or equal to already used ${used}`);
      }
      await trx.deleteFrom('net_quota').where('project_id', '=', projectId).where('resource', '=', resource).execute();
      await trx.insertInto('net_quota').values({ project_id: projectId, resource, hard_limit: limit }).execute();
    }
  });
}

/** Back to the defaults; 404 when the project never had a limit of its own, as Neutron answers. */
export async function resetLimits(db: Db, projectId: string): Promise<void> {
  const result = await db.deleteFrom('net_quota').where('project_id', '=', projectId).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new ApiError(404, `Quota for tenant ${projectId} could not be found.`, 'TenantQuotaNotFound');
}

// Nova's quotas (nova/quota.py, DbQuotaDriver with counting, no reservations): a limit comes from
// the project user's row, else the project's row, else the `default` quota class, else the
// configured default (-1 = unlimited). Usage is counted from the rows that exist — servers
// (instances, cores, ram) and server groups per project or user; key_pairs and
// server_group_members usage is always reported as 0, as Nova does.
import { sql, type Kysely } from 'kysely';
import type { ComputeConfig } from '../config.js';
import type { ComputeDb } from '../db/schema.js';
import { inTransaction, nowIso, type ComputeTx } from '../db/transaction.js';

type Db = Kysely<ComputeDb> | ComputeTx;

/** Every quota resource, in Nova's (sorted) order. */
export const QUOTA_RESOURCES = [
  'cores', 'fixed_ips', 'floating_ips', 'injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files',
  'instances', 'key_pairs', 'metadata_items', 'ram', 'security_group_rules', 'security_groups', 'server_group_members',
  'server_groups',
] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];

export type Limits = Record<string, number>;

/** nova-network's resources, dropped from the quota APIs at 2.36 (quota classes: 2.50). */
export const NETWORK_QUOTAS = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'] as const;
/** Personality (file injection) resources, dropped at 2.57. */
export const INJECTED_QUOTAS = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'] as const;

export const DEFAULT_QUOTA_CLASS = 'default';

function configured(compute: ComputeConfig): Limits {
  return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, compute.quotas[r] ?? -1]));
}

async function rowsOf(db: Db, projectId: string, userId: string): Promise<Limits> {
  const rows = await db.selectFrom('nova_quota').select(['resource', 'hard_limit'])
    .where('project_id', '=', projectId).where('user_id', '=', userId).execute();
  return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
}

async function classRows(db: Db, className: string): Promise<Limits> {
  const rows = await db.selectFrom('nova_quota_class').select(['resource', 'hard_limit']).where('class_name', '=', className).execute();
  return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
}

function overlay(base: Limits, over: Limits): Limits {
  const out: Limits = { ...base };
  for (const r of QUOTA_RESOURCES) if (over[r] !== undefined) out[r] = over[r]!;
  return out;
}

/** QUOTAS.get_defaults(): the `default` class over the configured defaults. */
export async function defaultLimits(db: Db, compute: ComputeConfig): Promise<Limits> {
  return overlay(configured(compute), await classRows(db, DEFAULT_QUOTA_CLASS));
}

/** get_class_quotas(): a class's own limits over the configured defaults. */
export async function classLimits(db: Db, compute: ComputeConfig, className: string): Promise<Limits> {
  return overlay(configured(compute), await classRows(db, className));
}

export async function projectLimits(db: Db, compute: ComputeConfig, projectId: string): Promise<Limits> {
  return overlay(await defaultLimits(db, compute), await rowsOf(db, projectId, ''));
}

export async function userLimits(db: Db, compute: ComputeConfig, projectId: string, userId: string): Promise<Limits> {
  return overlay(await projectLimits(db, compute, projectId), await rowsOf(db, projectId, userId));
}

/** Limits of a project, or of one of its users when userId is given. */
export async function limitsFor(db: Db, compute: ComputeConfig, projectId: string, userId: string | undefined): Promise<Limits> {
  return userId === undefined ? projectLimits(db, compute, projectId) : userLimits(db, compute, projectId, userId);
}

const num = (v: unknown): number => Number(v ?? 0);

/** In-use counts of a project (or one of its users), Nova's _get_usages(). */
export async function usages(db: Db, projectId: string, userId: string | undefined): Promise<Limits> {
  let instances = db.selectFrom('nova_instance')
    .select([sql<number | string>`count(*)`.as('n'), sql<number | string | null>`sum(vcpus)`.as('cores'), sql<number | string | null>`sum(memory_mb)`.as('ram')])
    .where('project_id', '=', projectId).where('deleted', '=', 0);
  if (userId !== undefined) instances = instances.where('user_id', '=', userId);
  const counted = await instances.executeTakeFirst();
  let groups = db.selectFrom('nova_server_group').select(sql<number | string>`count(*)`.as('n')).where('project_id', '=', projectId);
  if (userId !== undefined) groups = groups.where('user_id', '=', userId);
  const groupCount = await groups.executeTakeFirst();
  const out: Limits = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, 0]));
  out.instances = num(counted?.n);
  out.cores = num(counted?.cores);
  out.ram = num(counted?.ram);
  out.server_groups = num(groupCount?.n);
  return out;
}

/** How many key pairs a user has (what the key_pairs limit is checked against). */
export async function keyPairCount(db: Db, userId: string): Promise<number> {
  const row = await db.selectFrom('nova_key_pair').select(sql<number | string>`count(*)`.as('n')).where('user_id', '=', userId).executeTakeFirst();
  return num(row?.n);
}

/** Upserts limits for a project (userId '') or a project user. */
export async function setLimits(db: Kysely<ComputeDb>, projectId: string, userId: string, limits: Readonly<Limits>): Promise<void> {
  await inTransaction(db, async (trx) => {
    const now = nowIso();
    for (const [resource, hard_limit] of Object.entries(limits)) {
      const updated = await trx.updateTable('nova_quota').set({ hard_limit, updated_at: now })
        .where('project_id', '=', projectId).where('user_id', '=', userId).where('resource', '=', resource).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await trx.insertInto('nova_quota').values({ project_id: projectId, user_id: userId, resource, hard_limit, created_at: now, updated_at: now }).execute();
      }
    }
  });
}

/**
 * QUOTAS.destroy_all_by_project(_and_user): a project's own and its users' limits, or one
 * user's limits, go back to the defaults.
 */
export async function resetLimits(db: Kysely<ComputeDb>, projectId: string, userId: string | undefined): Promise<void> {
  let query = db.deleteFrom('nova_quota').where('project_id', '=', projectId);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  await query.execute();
}

export async function setClassLimits(db: Kysely<ComputeDb>, className: string, limits: Readonly<Limits>): Promise<void> {
  await inTransaction(db, async (trx) => {
    const now = nowIso();
    for (const [resource, hard_limit] of Object.entries(limits)) {
      const updated = await trx.updateTable('nova_quota_class').set({ hard_limit, updated_at: now })
        .where('class_name', '=', className).where('resource', '=', resource).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await trx.insertInto('nova_quota_class').values({ class_name: className, resource, hard_limit, created_at: now, updated_at: now }).execute();
      }
    }
  });
}

/**
 * get_settable_quotas(): the range a new limit must fall in unless forced — at least what is in
 * use; for a user, at most the project's limit (-1 meaning no bound).
 */
export async function settableRanges(db: Db, compute: ComputeConfig, projectId: string, userId: string | undefined): Promise<Record<string, { minimum: number; maximum: number }>> {
  const used = await usages(db, projectId, userId);
  const project = userId === undefined ? undefined : await projectLimits(db, compute, projectId);
  return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, { minimum: used[r] ?? 0, maximum: project === undefined ? -1 : project[r] ?? -1 }]));
}

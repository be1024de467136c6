// Quota enforcement: counting a project's rows against its limit (net_quota, else the configured
// default). Runs inside the creating transaction; on SQLite that serialises racing creates. On
// PostgreSQL two concurrent creates can each see count = limit - 1: an overshoot of at most the
// number of racing requests, which Neutron's own counting driver also allows.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import type { NetworkDb } from '../db/schema.js';
import { overQuota } from './errors.js';

/** The table each quota resource counts. */
export const QUOTA_TABLES: Readonly<Record<string, keyof NetworkDb>> = {
  network: 'net_network', subnet: 'net_subnet', subnetpool: 'net_subnetpool', port: 'net_port', router: 'net_router',
  floatingip: 'net_floating_ip', security_group: 'net_security_group', security_group_rule: 'net_security_group_rule',
  rbac_policy: 'net_rbac_policy', address_scope: 'net_address_scope', address_group: 'net_address_group',
};

export async function quotaLimit(db: Kysely<NetworkDb>, config: NimbusConfig, projectId: string, resource: string): Promise<number> {
  const row = await db.selectFrom('net_quota').select('hard_limit').where('project_id', '=', projectId).where('resource', '=', resource).executeTakeFirst();
  return row?.hard_limit ?? config.network.quotas[resource] ?? -1;
}

export async function quotaUsage(db: Kysely<NetworkDb>, projectId: string, resource: string): Promise<number> {
  const table = QUOTA_TABLES[resource];
  if (table === undefined) return 0;
  const row = await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).where('project_id' as never, '=', projectId as never).executeTakeFirst();
  return Number((row as { n: number } | undefined)?.n ?? 0);
}

/** 409 OverQuota when `adding` more of `resource` would exceed the project's limit. */
export async function assertQuota(db: Kysely<NetworkDb>, config: NimbusConfig, projectId: string, resource: string, adding = 1): Promise<void> {
  const limit = await quotaLimit(db, config, projectId, resource);
  if (limit < 0) return;
  if ((await quotaUsage(db, projectId, resource)) + adding > limit) throw overQuota(resource);
}

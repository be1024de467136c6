// Security groups and rules as the API shows them, loaded for many groups at once: one query
// each for rules, tags, RBAC sharing and default-group markers, whatever the number of groups.
import type { Kysely } from 'kysely';
import type { NetworkDb, SecurityGroupRow, SecurityGroupRuleRow } from '../../db/schema.js';
import { renderStandard } from '../standard-attrs.js';
import { loadTags } from '../tags.js';
import { sharedWithAll } from './access.js';

type Db = Kysely<NetworkDb>;
export type Rendered = Record<string, unknown>;

export function renderRule(row: SecurityGroupRuleRow, defaultGroups: ReadonlySet<string>): Rendered {
  return {
    id: row.id,
    project_id: row.project_id,
    tenant_id: row.project_id,
    security_group_id: row.security_group_id,
    direction: row.direction,
    ethertype: row.ethertype,
    protocol: row.protocol,
    port_range_min: row.port_range_min,
    port_range_max: row.port_range_max,
    remote_ip_prefix: row.remote_ip_prefix,
    remote_group_id: row.remote_group_id,
    remote_address_group_id: row.remote_address_group_id,
    normalized_cidr: row.normalized_cidr,
    belongs_to_default_sg: defaultGroups.has(row.security_group_id),
    ...renderStandard(row),
  };
}

/** Of `groupIds`, the ones that are their project's default group. */
export async function defaultGroupsAmong(db: Db, groupIds: readonly string[]): Promise<Set<string>> {
  if (groupIds.length === 0) return new Set();
  const unique = [...new Set(groupIds)];
  const rows = await db.selectFrom('net_default_security_group').select('security_group_id')
    .where('security_group_id', 'in', unique).execute();
  return new Set(rows.map((r) => r.security_group_id));
}

export async function renderRules(db: Db, rows: readonly SecurityGroupRuleRow[]): Promise<Rendered[]> {
  const defaults = await defaultGroupsAmong(db, rows.map((r) => r.security_group_id));
  return rows.map((row) => renderRule(row, defaults));
}

export async function renderGroups(db: Db, groups: readonly SecurityGroupRow[]): Promise<Rendered[]> {
  if (groups.length === 0) return [];
  const ids = groups.map((g) => g.id);
  const [rules, tags, shared, defaults] = await Promise.all([
    db.selectFrom('net_security_group_rule').selectAll().where('security_group_id', 'in', ids).orderBy('created_at').orderBy('id').execute(),
    loadTags(db, 'security-groups', ids),
    sharedWithAll(db, ids),
    defaultGroupsAmong(db, ids),
  ]);
  const rulesByGroup = new Map<string, Rendered[]>();
  for (const rule of rules) {
    const list = rulesByGroup.get(rule.security_group_id) ?? [];
    list.push(renderRule(rule, defaults));
    rulesByGroup.set(rule.security_group_id, list);
  }
  return groups.map((g) => ({
    id: g.id,
    name: g.name,
    stateful: g.stateful === 1,
    project_id: g.project_id,
    tenant_id: g.project_id,
    security_group_rules: rulesByGroup.get(g.id) ?? [],
    shared: shared.has(g.id),
    tags: tags.get(g.id) ?? [],
    ...renderStandard(g),
  }));
}

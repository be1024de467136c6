// Security group rule operations. A rule belongs to a group its creator owns; its remote group
// or address group must be usable by the rule's project. Every rule change bumps the group's
// revision, which the agents watch.
import type { NetworkDeps } from '../../api/deps.js';
import type { Query } from '../../api/list.js';
import { queryValues } from '../../api/list.js';
import type { SecurityGroupRuleRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import { ApiError } from '../../../core/errors.js';
import type { Caller } from '../caller.js';
import { inUse, securityGroupNotFound } from '../errors.js';
import { notify } from '../notify.js';
import { allowed, enforce } from '../policy.js';
import { assertQuota } from '../quota.js';
import { checkRevision } from '../standard-attrs.js';
import { loadUsableAddressGroup } from './address-group-access.js';
import { loadUsableGroup, sharedWithAll, visibleGroups } from './access.js';
import { bumpGroups } from './groups.js';
import { saneFilter } from './ids.js';
import { protocolKey } from './protocols.js';
import { checkRule, type RuleFields } from './rule-input.js';
import { newRuleRow } from './rule-rows.js';
import { renderRules, type Rendered } from './render.js';

export interface RuleAttrs extends RuleFields {
  project_id: string;
  security_group_id: string;
  direction: 'ingress' | 'egress';
  description?: string;
}

const ruleNotFound = (id: string): ApiError => new ApiError(404, `Security group rule ${id} does not exist`, 'SecurityGroupRuleNotFound');

/** Neutron's _rule_to_key: what makes two rules the same rule. */
function ruleKey(r: Pick<SecurityGroupRuleRow, 'direction' | 'ethertype' | 'protocol' | 'port_range_min' | 'port_range_max' | 'remote_group_id' | 'remote_address_group_id' | 'normalized_cidr'>): string {
  const cidr = r.normalized_cidr === null || r.normalized_cidr === '0.0.0.0/0' || r.normalized_cidr === '::/0' ? '+' : r.normalized_cidr;
  return [r.direction, r.ethertype, r.port_range_max ?? '+', r.port_range_min ?? '+', protocolKey(r.protocol),
    r.remote_group_id ?? '+', r.remote_address_group_id ?? '+', cidr].join('_');
}

async function ruleTarget(deps: NetworkDeps, rule: Pick<SecurityGroupRuleRow, 'project_id' | 'security_group_id'>, groupProject: string): Promise<Record<string, unknown>> {
  const shared = (await sharedWithAll(deps.db, [rule.security_group_id])).has(rule.security_group_id);
  return { project_id: rule.project_id, tenant_id: rule.project_id, security_group_id: rule.security_group_id, 'security_group:project_id': groupProject, 'security_group:tenant_id': groupProject, shared };
}

export interface RuleRequest { readonly attrs: RuleAttrs; readonly givenPrefix: unknown; readonly ownerGiven: boolean }

/** A rule row from a request, with the checks that need no transaction. */
async function prepareRule(deps: NetworkDeps, caller: Caller, req: RuleRequest): Promise<SecurityGroupRuleRow> {
  const input = req.attrs;
  const group = await deps.db.selectFrom('net_security_group').select(['id', 'project_id']).where('id', '=', input.security_group_id).executeTakeFirst();
  // Rules go into groups the caller owns (admins: any group, and the rule belongs to the group's owner).
  if (group === undefined || (!caller.isAdmin && group.project_id !== caller.projectId)) throw securityGroupNotFound(input.security_group_id);
  const projectId = caller.isAdmin && !req.ownerGiven ? group.project_id : input.project_id;
  enforce(deps, caller, 'create_security_group_rule', { project_id: projectId, tenant_id: projectId, 'security_group:project_id': group.project_id });
  const rule = checkRule(input, req.givenPrefix);
  return newRuleRow(projectId, group.id, {
    direction: input.direction, ethertype: rule.ethertype, protocol: rule.protocol,
    port_range_min: rule.port_range_min, port_range_max: rule.port_range_max,
    remote_ip_prefix: rule.remote_ip_prefix?.prefix ?? null, normalized_cidr: rule.remote_ip_prefix?.normalized ?? null,
    remote_group_id: rule.remote_group_id, remote_address_group_id: rule.remote_address_group_id,
    description: input.description ?? '',
  });
}

/**
 * Creates one rule or a bulk request's rules in ONE transaction (Neutron's native bulk for
 * rules): all or nothing, and the groups' revisions move only when rules really land.
 */
export async function createRules(deps: NetworkDeps, caller: Caller, requests: readonly RuleRequest[]): Promise<Rendered[]> {
  const rows: SecurityGroupRuleRow[] = [];
  for (const req of requests) rows.push(await prepareRule(deps, caller, req));
  const keys = new Set<string>();
  for (const row of rows) {
    const key = `${row.security_group_id}|${ruleKey(row)}`;
    if (keys.has(key)) throw inUse('DuplicateSecurityGroupRuleInPost', 'Duplicate Security Group Rule in POST.');
    keys.add(key);
  }
  await inTransaction(deps.db, async (trx) => {
    for (const row of rows) {
      if (row.remote_group_id !== null && row.remote_group_id !== row.security_group_id) await loadUsableGroup(trx, caller, row.remote_group_id, row.project_id);
      if (row.remote_address_group_id !== null) await loadUsableAddressGroup(trx, caller, row.remote_address_group_id, row.project_id);
      const existing = await trx.selectFrom('net_security_group_rule').selectAll().where('security_group_id', '=', row.security_group_id).execute();
      const key = ruleKey(row);
      const same = existing.find((r) => ruleKey(r) === key);
      if (same !== undefined) throw inUse('SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${same.id}.`);
      await assertQuota(trx, deps.config, row.project_id, 'security_group_rule');
      await trx.insertInto('net_security_group_rule').values(row).execute();
    }
    await bumpGroups(trx, [...new Set(rows.map((r) => r.security_group_id))]);
  });
  const items = await renderRules(deps.db, rows);
  for (const item of items) notify(deps, 'security_group_rule.create.end', { security_group_rule: item });
  return items;
}

/** Rules the caller may see: its own, and those of groups it can see. */
async function visibleRules(trx: NetworkTx | NetworkDeps['db'], caller: Caller, query: Query): Promise<{ rows: SecurityGroupRuleRow[]; groupOwners: Map<string, string> }> {
  const groups = await visibleGroups(trx, caller);
  const groupOwners = new Map(groups.map((g) => [g.id, g.project_id]));
  let q = trx.selectFrom('net_security_group_rule').selectAll();
  const ids = saneFilter(queryValues(query, 'id'));
  const sgIds = saneFilter(queryValues(query, 'security_group_id'));
  if (ids?.length === 0 || sgIds?.length === 0) return { rows: [], groupOwners };
  if (ids !== undefined) q = q.where('id', 'in', ids);
  if (sgIds !== undefined) q = q.where('security_group_id', 'in', sgIds);
  if (!caller.isAdmin) {
    const visible = [...groupOwners.keys()];
    q = q.where((eb) => eb.or([eb('project_id', '=', caller.projectId), ...(visible.length > 0 ? [eb('security_group_id', 'in', visible)] : [])]));
  }
  const rows = await q.orderBy('created_at').orderBy('id').execute();
  // Owners of groups the caller cannot see (its own rules in someone else's group).
  const unknown = [...new Set(rows.map((r) => r.security_group_id).filter((id) => !groupOwners.has(id)))];
  if (unknown.length > 0) {
    for (const g of await trx.selectFrom('net_security_group').select(['id', 'project_id']).where('id', 'in', unknown).execute()) groupOwners.set(g.id, g.project_id);
  }
  return { rows, groupOwners };
}

export async function listRules(deps: NetworkDeps, caller: Caller, query: Query): Promise<Rendered[]> {
  const { rows, groupOwners } = await visibleRules(deps.db, caller, query);
  const shared = await sharedWithAll(deps.db, [...new Set(rows.map((r) => r.security_group_id))]);
  const permitted = rows.filter((r) => allowed(deps, caller, 'get_security_group_rule', {
    project_id: r.project_id, tenant_id: r.project_id, 'security_group:project_id': groupOwners.get(r.security_group_id) ?? '',
    'security_group:tenant_id': groupOwners.get(r.security_group_id) ?? '', shared: shared.has(r.security_group_id),
  }));
  return renderRules(deps.db, permitted);
}

async function loadVisibleRule(deps: NetworkDeps, caller: Caller, id: string): Promise<{ row: SecurityGroupRuleRow; groupProject: string }> {
  const { rows, groupOwners } = await visibleRules(deps.db, caller, { id });
  const row = rows[0];
  if (row === undefined) throw ruleNotFound(id);
  const groupProject = groupOwners.get(row.security_group_id) ?? '';
  if (!allowed(deps, caller, 'get_security_group_rule', await ruleTarget(deps, row, groupProject))) throw ruleNotFound(id);
  return { row, groupProject };
}

export async function showRule(deps: NetworkDeps, caller: Caller, id: string): Promise<Rendered> {
  const { row } = await loadVisibleRule(deps, caller, id);
  const [item] = await renderRules(deps.db, [row]);
  return item!;
}

export async function deleteRule(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  const { row, groupProject } = await loadVisibleRule(deps, caller, id);
  enforce(deps, caller, 'delete_security_group_rule', await ruleTarget(deps, row, groupProject));
  await inTransaction(deps.db, async (trx) => {
    const current = await trx.selectFrom('net_security_group_rule').select(['revision_number']).where('id', '=', id).executeTakeFirst();
    if (current === undefined) throw ruleNotFound(id);
    checkRevision(ifMatch, current.revision_number);
    await trx.deleteFrom('net_security_group_rule').where('id', '=', id).execute();
    await bumpGroups(trx, [row.security_group_id]);
  });
  notify(deps, 'security_group_rule.delete.end', { security_group_rule_id: id, security_group_id: row.security_group_id });
}

// Neutron's per-project "default" security group, created on first use (listing or creating
// security groups, creating a port). The net_default_security_group primary key (project_id)
// is the race guard: of two transactions creating it at once, the loser's marker insert hits a
// unique violation, inTransaction retries, and the retry finds the winner's group.
import { randomUUID } from 'node:crypto';
import type { NetworkDeps } from '../../api/deps.js';
import type { NetworkTx } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { securityGroupNotFound } from '../errors.js';
import { newStandard } from '../standard-attrs.js';
import { defaultGroupRules, insertRules } from './rule-rows.js';
import { sharedGroupIds } from './access.js';

export const DEFAULT_GROUP_NAME = 'default';
export const DEFAULT_GROUP_DESCRIPTION = 'Default security group';

/** The project's default group id, creating the group (and its rules) if it does not exist yet. */
export async function ensureDefaultSecurityGroup(trx: NetworkTx, deps: NetworkDeps, projectId: string): Promise<string> {
  void deps;
  const existing = await trx.selectFrom('net_default_security_group').select('security_group_id')
    .where('project_id', '=', projectId).executeTakeFirst();
  if (existing !== undefined) return existing.security_group_id;
  const id = randomUUID();
  await trx.insertInto('net_security_group').values({
    id, project_id: projectId, name: DEFAULT_GROUP_NAME, stateful: 1, ...newStandard(DEFAULT_GROUP_DESCRIPTION),
  }).execute();
  // The marker before the rules: a racing loser blocks here and fails before doing more work.
  await trx.insertInto('net_default_security_group').values({ project_id: projectId, security_group_id: id }).execute();
  await insertRules(trx, defaultGroupRules(projectId, id));
  return id;
}

/**
 * Checks the groups a port asks for: each must exist and be usable by the port's project (its
 * own, or shared to it through RBAC). Admins may use any group. Unusable ones are reported as
 * missing, as Neutron does. Returns the distinct ids, sorted.
 */
export async function validatePortSecurityGroups(trx: NetworkTx, caller: Caller, ids: readonly string[], portProjectId = caller.projectId): Promise<string[]> {
  const wanted = [...new Set(ids)].sort();
  if (wanted.length === 0) return wanted;
  const rows = await trx.selectFrom('net_security_group').select(['id', 'project_id']).where('id', 'in', wanted).execute();
  const found = new Map(rows.map((r) => [r.id, r.project_id]));
  const foreign = caller.isAdmin || portProjectId === ''
    ? []
    : wanted.filter((id) => found.has(id) && found.get(id) !== portProjectId);
  const shared = foreign.length > 0 ? await sharedGroupIds(trx, portProjectId, foreign) : new Set<string>();
  const missing = wanted.filter((id) => !found.has(id) || (foreign.includes(id) && !shared.has(id)));
  if (missing.length > 0) throw securityGroupNotFound(missing.join(', '));
  return wanted;
}

// GET /v3/role_assignments, the domain half: assignment rows as refs, filtered as Keystone's
// assignment manager does. Effective mode lives in role-assignment-effective.ts.
import type { Kysely } from 'kysely';
import type { IdentityDb } from '../db/schema.js';
import { SYSTEM_TARGET, assignmentType, type ActorKind, type TargetKind } from './grants.js';
import { effectiveAssignments } from './role-assignment-effective.js';
import { descendantProjectIds } from './assignment-projects.js';

/** Where an expanded assignment came from: a group, an inheriting target, or a prior role. */
export interface Indirect {
  readonly groupId?: string;
  readonly projectId?: string;
  readonly domainId?: string;
  readonly roleId?: string;
}

export interface AssignmentRef {
  readonly roleId: string;
  readonly userId?: string;
  readonly groupId?: string;
  readonly projectId?: string;
  readonly domainId?: string;
  readonly system?: true;
  /** Inherited to the projects below the target (only on unexpanded refs). */
  readonly inherited: boolean;
  readonly indirect?: Indirect;
}

export interface AssignmentFilter {
  readonly userId?: string;
  readonly groupId?: string;
  readonly roleId?: string;
  /** scope.system=all */
  readonly system?: boolean;
  readonly domainId?: string;
  readonly projectId?: string;
  /** undefined: both inherited and direct. */
  readonly inherited?: boolean;
  readonly effective?: boolean;
  readonly includeSubtree?: boolean;
}

export interface RowQuery {
  readonly roleId?: string;
  readonly actor?: { readonly kind: ActorKind; readonly ids: readonly string[] };
  readonly targets: readonly TargetKind[];
  readonly targetIds?: readonly string[];
  readonly inherited?: boolean;
}

const TARGET_OF: Readonly<Record<string, TargetKind>> = { Project: 'project', Domain: 'domain', System: 'system' };

/** Assignment rows matching the query, as refs. */
export async function queryAssignments(db: Kysely<IdentityDb>, q: RowQuery): Promise<AssignmentRef[]> {
  if (q.actor && q.actor.ids.length === 0) return [];
  if (q.targetIds && q.targetIds.length === 0) return [];
  const actors: ActorKind[] = q.actor ? [q.actor.kind] : ['user', 'group'];
  const types = actors.flatMap((a) => q.targets.map((t) => assignmentType(a, t)));
  let query = db.selectFrom('assignment').selectAll().where('type', 'in', types);
  if (q.actor) query = query.where('actor_id', 'in', [...q.actor.ids]);
  if (q.targetIds) query = query.where('target_id', 'in', [...q.targetIds]);
  if (q.roleId !== undefined) query = query.where('role_id', '=', q.roleId);
  if (q.inherited !== undefined) query = query.where('inherited', '=', q.inherited ? 1 : 0);
  const rows = await query.orderBy('type').orderBy('actor_id').orderBy('target_id').orderBy('role_id').execute();
  return rows.map((r) => {
    const isUser = r.type.startsWith('User');
    const target = TARGET_OF[r.type.slice(isUser ? 4 : 5)];
    return {
      roleId: r.role_id,
      ...(isUser ? { userId: r.actor_id } : { groupId: r.actor_id }),
      ...(target === 'project' ? { projectId: r.target_id } : target === 'domain' ? { domainId: r.target_id } : { system: true as const }),
      inherited: r.inherited === 1,
    };
  });
}

export function actorOf(filter: { userId?: string; groupId?: string }): RowQuery['actor'] {
  if (filter.userId !== undefined) return { kind: 'user', ids: [filter.userId] };
  if (filter.groupId !== undefined) return { kind: 'group', ids: [filter.groupId] };
  return undefined;
}

/** Assignments exactly as stored, matching every given filter. */
async function directAssignments(db: Kysely<IdentityDb>, f: AssignmentFilter): Promise<AssignmentRef[]> {
  const actor = actorOf(f);
  let refs: AssignmentRef[] = [];
  if (!f.system) {
    const projectIds = f.projectId === undefined ? undefined
      : [f.projectId, ...(f.includeSubtree ? await descendantProjectIds(db, f.projectId) : [])];
    const targets: TargetKind[] = f.domainId !== undefined ? ['domain'] : projectIds ? ['project'] : ['project', 'domain'];
    const targetIds = f.domainId !== undefined ? [f.domainId] : projectIds;
    refs = await queryAssignments(db, { roleId: f.roleId, actor, targets, targetIds, inherited: f.inherited });
  }
  // As Keystone: system grants are listed when asked for, or when no other scope is (but never
  // as inherited ones, which Keystone lets slip through).
  if ((f.system || (f.projectId === undefined && f.domainId === undefined)) && f.inherited !== true) {
    refs.push(...await queryAssignments(db, { roleId: f.roleId, actor, targets: ['system'], targetIds: [SYSTEM_TARGET] }));
  }
  return refs;
}

export async function listRoleAssignments(db: Kysely<IdentityDb>, filter: AssignmentFilter): Promise<AssignmentRef[]> {
  return filter.effective ? effectiveAssignments(db, filter) : directAssignments(db, filter);
}

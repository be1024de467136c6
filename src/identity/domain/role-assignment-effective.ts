// Effective role assignments, as Keystone computes them for ?effective: group grants become one
// assignment per member, inherited grants land on every project below their target, implied
// roles are added, and domain-specific roles (which only ever imply) are dropped. One deliberate
// difference: system grants are expanded here too, where Keystone's effective mode omits them.
import type { Kysely } from 'kysely';
import { notFound } from '../../core/errors.js';
import type { IdentityDb } from '../db/schema.js';
import { projectAncestors } from './effective-roles.js';
import { SYSTEM_TARGET, type TargetKind } from './grants.js';
import { groupIdsOfUser } from './group-membership.js';
import { inferenceMap } from './implied-roles.js';
import { descendantProjectIds, domainProjectIds } from './assignment-projects.js';
import { actorOf, queryAssignments, type AssignmentFilter, type AssignmentRef, type RowQuery } from './role-assignments.js';

interface Scope {
  readonly projectId?: string;
  readonly subtree?: readonly string[];
  readonly domainId?: string;
  readonly inherited?: boolean;
}

/** The stored rows that can affect the scope for these actors, before any expansion. */
async function rowsFor(db: Kysely<IdentityDb>, actor: RowQuery['actor'], s: Scope): Promise<AssignmentRef[]> {
  const interest = s.projectId === undefined ? undefined : [s.projectId, ...(s.subtree ?? [])];
  const refs: AssignmentRef[] = [];
  if (s.inherited !== true) {
    const targets: TargetKind[] = s.domainId !== undefined ? ['domain'] : interest ? ['project'] : ['project', 'domain'];
    const targetIds = s.domainId !== undefined ? [s.domainId] : interest;
    refs.push(...await queryAssignments(db, { actor, targets, targetIds, inherited: false }));
  }
  if (s.inherited !== false) {
    if (s.projectId !== undefined) {
      const { ids: parents, domainId } = await projectAncestors(db, s.projectId);
      if (domainId === undefined) throw notFound(`Could not find project: ${s.projectId}.`);
      refs.push(...await queryAssignments(db, { actor, targets: ['domain'], targetIds: [domainId], inherited: true }));
      const sources = [...parents, ...(s.subtree ? interest! : [])];
      refs.push(...await queryAssignments(db, { actor, targets: ['project'], targetIds: sources, inherited: true }));
    } else {
      refs.push(...await queryAssignments(db, { actor, targets: ['project', 'domain'], inherited: true }));
    }
  }
  return refs;
}

class Expander {
  private readonly members = new Map<string, string[]>();

  constructor(private readonly db: Kysely<IdentityDb>, private readonly f: AssignmentFilter, private readonly subtree?: readonly string[]) {}

  private async usersOf(ref: AssignmentRef): Promise<string[]> {
    if (ref.groupId === undefined) return [ref.userId!];
    if (this.f.userId !== undefined) return [this.f.userId];
    let ids = this.members.get(ref.groupId);
    if (!ids) {
      ids = (await this.db.selectFrom('membership').select('user_id').where('group_id', '=', ref.groupId).orderBy('user_id').execute()).map((r) => r.user_id);
      this.members.set(ref.groupId, ids);
    }
    return ids;
  }

  /** The projects an inherited ref applies to, within what the filter asks about. */
  private async inheritedTargets(ref: AssignmentRef): Promise<string[]> {
    if (this.f.projectId !== undefined) {
      const ids = [this.f.projectId, ...(this.subtree ?? [])];
      return this.subtree && ref.projectId && ids.includes(ref.projectId) ? descendantProjectIds(this.db, ref.projectId) : ids;
    }
    return ref.domainId !== undefined ? domainProjectIds(this.db, ref.domainId) : descendantProjectIds(this.db, ref.projectId!);
  }

  async expand(ref: AssignmentRef): Promise<AssignmentRef[]> {
    const viaGroup = ref.groupId === undefined ? {} : { groupId: ref.groupId };
    const users = await this.usersOf(ref);
    if (ref.inherited) {
      const source = ref.projectId !== undefined ? { projectId: ref.projectId } : { domainId: ref.domainId! };
      const projects = await this.inheritedTargets(ref);
      return users.flatMap((userId) => projects.map((projectId) => ({
        roleId: ref.roleId, userId, projectId, inherited: false, indirect: { ...viaGroup, ...source },
      })));
    }
    if (ref.groupId === undefined) return [ref];
    const { groupId: _g, ...rest } = ref;
    return users.map((userId) => ({ ...rest, userId, indirect: viaGroup }));
  }
}

/** Adds a copy of each ref per implied role, recording the prior role; cycles end at repeats. */
function addImplied(refs: readonly AssignmentRef[], implies: ReadonlyMap<string, readonly string[]>): AssignmentRef[] {
  const out: AssignmentRef[] = [];
  for (const ref of refs) {
    out.push(ref);
    const seen = new Set([`${ref.roleId}|${ref.indirect?.roleId ?? ''}`]);
    const queue = [ref];
    for (let cur = queue.shift(); cur !== undefined; cur = queue.shift()) {
      for (const implied of implies.get(cur.roleId) ?? []) {
        const key = `${implied}|${cur.roleId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const next: AssignmentRef = { ...cur, roleId: implied, indirect: { ...cur.indirect, roleId: cur.roleId } };
        out.push(next);
        queue.push(next);
      }
    }
  }
  return out;
}

export async function effectiveAssignments(db: Kysely<IdentityDb>, f: AssignmentFilter): Promise<AssignmentRef[]> {
  // Group assignments and inherited domain assignments never survive expansion.
  if (f.groupId !== undefined || (f.domainId !== undefined && f.inherited === true)) return [];
  const inherited = f.domainId !== undefined ? false : f.inherited;
  const subtree = f.projectId !== undefined && f.includeSubtree ? await descendantProjectIds(db, f.projectId) : undefined;
  const scope: Scope = { projectId: f.projectId, subtree, domainId: f.domainId, inherited };
  const groups = f.userId !== undefined ? await groupIdsOfUser(db, f.userId) : [];
  const actors: RowQuery['actor'][] = f.userId !== undefined ? [actorOf(f), { kind: 'group', ids: groups }] : [undefined];
  const raw: AssignmentRef[] = [];
  for (const actor of actors) {
    if (!f.system) raw.push(...await rowsFor(db, actor, scope));
    if ((f.system || (f.projectId === undefined && f.domainId === undefined)) && inherited !== true) {
      raw.push(...await queryAssignments(db, { actor, targets: ['system'], targetIds: [SYSTEM_TARGET] }));
    }
  }
  const expander = new Expander(db, f, subtree);
  const expanded: AssignmentRef[] = [];
  for (const ref of raw) expanded.push(...await expander.expand(ref));
  const withImplied = addImplied(expanded, await inferenceMap(db));
  const domainRoles = new Set((await db.selectFrom('role').select('id').where('domain_id', 'is not', null).execute()).map((r) => r.id));
  return withImplied.filter((r) => !domainRoles.has(r.roleId) && (f.roleId === undefined || r.roleId === f.roleId));
}

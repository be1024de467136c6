// Role grants ("assignments" rows): an actor (user or group) holds a role on a target (project,
// domain or the system), optionally inherited to the projects below the target (OS-INHERIT).
// Writes bump the change counter: cached token validations re-read their roles.
import type { Kysely } from 'kysely';
import { badRequest, forbidden, notFound } from '../../core/errors.js';
import type { DomainRow, GroupRow, IdentityDb, ProjectRow, RoleRow, UserRow } from '../db/schema.js';
import { findGroup } from './groups.js';
import { findRole, rolesByIds } from './roles.js';
import type { IdentityWriteDeps } from './write-deps.js';

export type ActorKind = 'user' | 'group';
export type TargetKind = 'project' | 'domain' | 'system';

/** Keystone's target id for system assignments. */
export const SYSTEM_TARGET = 'system';

export interface GrantRef {
  readonly actor: ActorKind;
  readonly actorId: string;
  readonly target: TargetKind;
  readonly targetId: string;
  readonly inherited: boolean;
}

export function assignmentType(actor: ActorKind, target: TargetKind): string {
  return `${actor === 'user' ? 'User' : 'Group'}${target[0]!.toUpperCase()}${target.slice(1)}`;
}

/** Everything a grant names, each undefined when it does not exist (policy runs before the 404). */
export interface GrantParties {
  readonly role?: RoleRow;
  readonly user?: UserRow;
  readonly group?: GroupRow;
  readonly project?: ProjectRow;
  readonly domain?: DomainRow;
}

export async function loadParties(db: Kysely<IdentityDb>, ref: GrantRef, roleId?: string): Promise<GrantParties> {
  const role = roleId === undefined ? undefined : await findRole(db, roleId);
  const user = ref.actor === 'user'
    ? await db.selectFrom('identity_user').selectAll().where('id', '=', ref.actorId).executeTakeFirst() : undefined;
  const group = ref.actor === 'group' ? await findGroup(db, ref.actorId) : undefined;
  const project = ref.target === 'project'
    ? await db.selectFrom('project').selectAll().where('id', '=', ref.targetId).executeTakeFirst() : undefined;
  const domain = ref.target === 'domain'
    ? await db.selectFrom('domain').selectAll().where('id', '=', ref.targetId).executeTakeFirst() : undefined;
  return { role, user, group, project, domain };
}

/** Keystone's 404 order: role, actor, then target. `allowMissingActor` is revoke's leniency. */
export function requireParties(ref: GrantRef, p: GrantParties, roleId: string | undefined, allowMissingActor = false): void {
  if (roleId !== undefined && !p.role) throw notFound(`Could not find role: ${roleId}.`);
  if (!allowMissingActor && ref.actor === 'user' && !p.user) throw notFound(`Could not find user: ${ref.actorId}.`);
  if (!allowMissingActor && ref.actor === 'group' && !p.group) throw notFound(`Could not find group: ${ref.actorId}.`);
  if (ref.target === 'project' && !p.project) throw notFound(`Could not find project: ${ref.targetId}.`);
  if (ref.target === 'domain' && !p.domain) throw notFound(`Could not find domain: ${ref.targetId}.`);
}

function rowQuery(db: Kysely<IdentityDb>, ref: GrantRef) {
  return db.selectFrom('assignment').select('role_id')
    .where('type', '=', assignmentType(ref.actor, ref.target)).where('actor_id', '=', ref.actorId)
    .where('target_id', '=', ref.targetId).where('inherited', '=', ref.inherited ? 1 : 0);
}

function missing(ref: GrantRef, roleId: string): never {
  throw notFound(`Could not find role assignment with role: ${roleId}, user or group: ${ref.actorId}, project, domain, or system: ${ref.targetId}.`);
}

/** Granting a role twice is not an error. */
export async function createGrant(deps: IdentityWriteDeps, ref: GrantRef, role: RoleRow, project?: ProjectRow): Promise<void> {
  if (ref.target === 'system' && role.domain_id !== null) {
    throw badRequest(`Role ${role.id} is a domain-specific role. Unable to use a domain-specific role in a system assignment.`);
  }
  if (project && role.domain_id !== null && role.domain_id !== project.domain_id) {
    throw forbidden(`Project ${project.id} must be in the same domain as the role ${role.id} being assigned.`);
  }
  await deps.db.insertInto('assignment').values({
    type: assignmentType(ref.actor, ref.target), actor_id: ref.actorId, target_id: ref.targetId,
    role_id: role.id, inherited: ref.inherited ? 1 : 0,
  }).onConflict((oc) => oc.columns(['type', 'actor_id', 'target_id', 'role_id', 'inherited']).doNothing()).execute();
  deps.changes.bump();
}

export async function checkGrant(db: Kysely<IdentityDb>, ref: GrantRef, roleId: string): Promise<void> {
  const row = await rowQuery(db, ref).where('role_id', '=', roleId).executeTakeFirst();
  if (!row) missing(ref, roleId);
}

export async function deleteGrant(deps: IdentityWriteDeps, ref: GrantRef, roleId: string): Promise<void> {
  await checkGrant(deps.db, ref, roleId);
  await deps.db.deleteFrom('assignment')
    .where('type', '=', assignmentType(ref.actor, ref.target)).where('actor_id', '=', ref.actorId)
    .where('target_id', '=', ref.targetId).where('inherited', '=', ref.inherited ? 1 : 0)
    .where('role_id', '=', roleId).execute();
  deps.changes.bump();
}

/** The roles granted directly (no groups, no inheritance from above) to the actor on the target. */
export async function listGrants(db: Kysely<IdentityDb>, ref: GrantRef): Promise<RoleRow[]> {
  const rows = await rowQuery(db, ref).execute();
  return rolesByIds(db, rows.map((r) => r.role_id));
}

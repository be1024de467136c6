// Project records and Keystone's hierarchy rules: a parent in the same domain, no project under a
// disabled branch, at most MAX_PROJECT_DEPTH levels, only leaves deleted, a project disabled only
// once its subtree is, enabled only below enabled parents.
import type { Kysely } from 'kysely';
import { badRequest, conflict, forbidden, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import type { DomainRow, IdentityDb, ProjectRow } from '../db/schema.js';
import { findDomain, type ResourceDeps } from './domains.js';
import { MAX_PROJECT_DEPTH, projectParents, projectSubtree } from './project-hierarchy.js';
import { assertDeletable, assertMutable, deleteOptions, optionsOf, type OptionChanges } from './resource-options.js';
import { commonChanges, writeResource } from './resource-write.js';

export interface ProjectInput {
  name?: string;
  description?: string | null;
  enabled?: boolean;
  domain_id?: string | null;
  parent_id?: string | null;
  is_domain?: boolean;
  tags?: string[];
  options?: OptionChanges;
  extra?: Record<string, unknown>;
}

const duplicate = (name: string | undefined) =>
  conflict(`Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${name}.`);

export async function findProject(db: Kysely<IdentityDb>, id: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('project').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getProject(db: Kysely<IdentityDb>, id: string): Promise<ProjectRow> {
  const row = await findProject(db, id);
  if (!row) throw notFound(`Could not find project: ${id}.`);
  return row;
}

/** The parent a new project hangs from (undefined for a top-level one), checked as Keystone does. */
async function checkedParent(db: Kysely<IdentityDb>, domainId: string, parentId: string | null | undefined): Promise<ProjectRow | undefined> {
  if (!parentId || parentId === domainId) return undefined;
  const parent = await findProject(db, parentId);
  if (!parent) {
    if (await findDomain(db, parentId)) {
      throw badRequest(`Cannot create project, the parent (${parentId}) is acting as a domain, but this project's domain id (${domainId}) does not match the parent's id.`);
    }
    throw badRequest(`Could not find project: ${parentId}.`);
  }
  if (parent.domain_id !== domainId) {
    throw badRequest(`Cannot create project, since it specifies its domain_id ${domainId}, but specifies a parent in a different domain (${parent.domain_id}).`);
  }
  const branch = [parent, ...(await projectParents(db, parent))];
  const disabled = branch.find((p) => !p.enabled);
  if (disabled) throw badRequest(`cannot create a project in a branch containing a disabled project: ${disabled.id}`);
  if (branch.length + 1 > MAX_PROJECT_DEPTH) throw forbidden(`Max hierarchy depth reached for ${parent.id} branch.`);
  return parent;
}

export async function createProject(deps: ResourceDeps, input: ProjectInput & { name: string; domain_id: string }): Promise<ProjectRow> {
  if (!(await findDomain(deps.db, input.domain_id))) throw badRequest(`Could not find domain: ${input.domain_id}.`);
  const parent = await checkedParent(deps.db, input.domain_id, input.parent_id);
  const row: ProjectRow = {
    id: newHexId(), name: input.name.trim(), domain_id: input.domain_id, parent_id: parent?.id ?? null,
    description: input.description ?? '', enabled: input.enabled === false ? 0 : 1, extra: JSON.stringify(input.extra ?? {}),
  };
  await writeResource(deps.db, 'project', row.id, input, (tx) => tx.insertInto('project').values(row).execute(), () => duplicate(row.name));
  deps.changes.bump();
  return row;
}

async function checkEnabledChange(db: Kysely<IdentityDb>, current: ProjectRow, enabled: boolean | undefined): Promise<void> {
  if (enabled === true && !current.enabled) {
    if ((await projectParents(db, current)).some((p) => !p.enabled)) {
      throw forbidden(`Cannot enable project ${current.id} since it has disabled parents`);
    }
  }
  if (enabled === false && current.enabled) {
    if ((await projectSubtree(db, current.id)).some((p) => p.enabled)) {
      throw forbidden(`Cannot disable project ${current.id} since its subtree contains enabled projects.`);
    }
  }
}

export async function updateProject(deps: ResourceDeps, id: string, input: ProjectInput): Promise<ProjectRow> {
  const current = await getProject(deps.db, id);
  if (input.domain_id !== undefined && input.domain_id !== current.domain_id) throw badRequest('Cannot change Domain ID');
  if (input.parent_id !== undefined && (input.parent_id ?? current.domain_id) !== (current.parent_id ?? current.domain_id)) {
    throw forbidden('Update of `parent_id` is not allowed.');
  }
  if (input.is_domain === true) throw badRequest('Update of `is_domain` is not allowed.');
  const { domain_id: _d, parent_id: _p, is_domain: _i, ...update } = input;
  assertMutable(await optionsOf(deps.db, id), update, 'project', id);
  await checkEnabledChange(deps.db, current, input.enabled);
  const changes = commonChanges(current.extra, input);
  await writeResource(deps.db, 'project', id, input, async (tx) => {
    if (Object.keys(changes).length > 0) await tx.updateTable('project').set(changes).where('id', '=', id).execute();
  }, () => duplicate(input.name));
  // A disabled project's tokens fail at their next validation: the token service re-reads it.
  deps.changes.bump();
  return getProject(deps.db, id);
}

export async function deleteProject(deps: ResourceDeps, id: string): Promise<void> {
  await getProject(deps.db, id);
  assertDeletable(await optionsOf(deps.db, id), 'project', id);
  const child = await deps.db.selectFrom('project').select('id').where('parent_id', '=', id).executeTakeFirst();
  if (child) {
    throw forbidden(`Cannot delete the project ${id} since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree.`);
  }
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('assignment').where('target_id', '=', id).where('type', 'in', ['UserProject', 'GroupProject']).execute();
    await tx.deleteFrom('credential').where('project_id', '=', id).execute();
    await tx.deleteFrom('application_credential').where('project_id', '=', id).execute();
    await tx.deleteFrom('project_tag').where('project_id', '=', id).execute();
    await deleteOptions(tx, [id]);
    await tx.deleteFrom('project').where('id', '=', id).execute();
  });
  await deps.revocations.revoke({ projectId: id });
  deps.changes.bump();
}

/** What /v3/projects/{id} names: a project, or a domain seen as the project acting as it. */
export type ProjectLike = { readonly kind: 'project'; readonly row: ProjectRow } | { readonly kind: 'domain'; readonly row: DomainRow };

export async function findProjectLike(db: Kysely<IdentityDb>, id: string): Promise<ProjectLike | undefined> {
  const project = await findProject(db, id);
  if (project) return { kind: 'project', row: project };
  const domain = await findDomain(db, id);
  return domain ? { kind: 'domain', row: domain } : undefined;
}

export async function getProjectLike(db: Kysely<IdentityDb>, id: string): Promise<ProjectLike> {
  const found = await findProjectLike(db, id);
  if (!found) throw notFound(`Could not find project: ${id}.`);
  return found;
}

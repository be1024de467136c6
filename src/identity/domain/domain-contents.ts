// Everything a domain owns, removed with it inside one transaction: projects (with their tags,
// options, assignments and credentials), users, groups, domain-specific roles and the domain's
// own assignments, tags, options and configuration.
import type { Kysely } from 'kysely';
import type { IdentityDb } from '../db/schema.js';
import { deleteOptions } from './resource-options.js';

const ids = (rows: readonly { id: string }[]): string[] => rows.map((r) => r.id);

export async function deleteDomainContents(tx: Kysely<IdentityDb>, domainId: string): Promise<void> {
  const projectIds = ids(await tx.selectFrom('project').select('id').where('domain_id', '=', domainId).execute());
  const userIds = ids(await tx.selectFrom('identity_user').select('id').where('domain_id', '=', domainId).execute());
  const groupIds = ids(await tx.selectFrom('identity_group').select('id').where('domain_id', '=', domainId).execute());
  const actorIds = [...userIds, ...groupIds];

  await tx.deleteFrom('assignment').where('target_id', '=', domainId).where('type', 'in', ['UserDomain', 'GroupDomain']).execute();
  if (actorIds.length > 0) await tx.deleteFrom('assignment').where('actor_id', 'in', actorIds).execute();
  if (projectIds.length > 0) {
    await tx.deleteFrom('assignment').where('target_id', 'in', projectIds).where('type', 'in', ['UserProject', 'GroupProject']).execute();
    await tx.deleteFrom('credential').where('project_id', 'in', projectIds).execute();
    await tx.deleteFrom('application_credential').where('project_id', 'in', projectIds).execute();
    await tx.deleteFrom('project_tag').where('project_id', 'in', projectIds).execute();
  }
  if (userIds.length > 0) await tx.deleteFrom('credential').where('user_id', 'in', userIds).execute();
  await deleteOptions(tx, [...projectIds, domainId]);
  // One statement for all projects: parent links are checked at its end, not row by row.
  await tx.deleteFrom('project').where('domain_id', '=', domainId).execute();
  // Memberships, password history and application credentials go by ON DELETE CASCADE.
  await tx.deleteFrom('identity_user').where('domain_id', '=', domainId).execute();
  await tx.deleteFrom('identity_group').where('domain_id', '=', domainId).execute();
  // Assignments and implications of domain-specific roles go by ON DELETE CASCADE.
  await tx.deleteFrom('role').where('domain_id', '=', domainId).execute();
  await tx.deleteFrom('domain_config').where('domain_id', '=', domainId).execute();
  await tx.deleteFrom('domain_tag').where('domain_id', '=', domainId).execute();
  await tx.deleteFrom('domain').where('id', '=', domainId).execute();
}

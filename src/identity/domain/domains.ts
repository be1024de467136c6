// Domain records: create, update (disabling one ends its tokens at their next validation), and
// delete, which Keystone allows only once the domain is disabled and which takes its contents along.
import type { Kysely } from 'kysely';
import { conflict, forbidden, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import type { DomainRow, IdentityDb } from '../db/schema.js';
import type { ChangeCounter } from './change-counter.js';
import { deleteDomainContents } from './domain-contents.js';
import { assertDeletable, assertMutable, optionsOf } from './resource-options.js';
import type { RevocationList } from './revocation.js';
import { commonChanges, writeResource, type CommonResourceInput } from './resource-write.js';

export interface ResourceDeps {
  readonly db: Kysely<IdentityDb>;
  readonly revocations: RevocationList;
  readonly changes: ChangeCounter;
}

export type DomainInput = CommonResourceInput;

const duplicate = (name: string | undefined) =>
  conflict(`Conflict occurred attempting to store project - it is not permitted to have two projects acting as domains with the same name: ${name}.`);

export async function getDomain(db: Kysely<IdentityDb>, id: string): Promise<DomainRow> {
  const row = await findDomain(db, id);
  if (!row) throw notFound(`Could not find domain: ${id}.`);
  return row;
}

export async function findDomain(db: Kysely<IdentityDb>, id: string): Promise<DomainRow | undefined> {
  return db.selectFrom('domain').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function createDomain(deps: ResourceDeps, input: DomainInput & { name: string }, explicitId?: string): Promise<DomainRow> {
  const row: DomainRow = {
    id: explicitId ?? newHexId(), name: input.name.trim(), description: input.description ?? '',
    enabled: input.enabled === false ? 0 : 1, extra: JSON.stringify(input.extra ?? {}),
  };
  await writeResource(deps.db, 'domain', row.id, input, (tx) => tx.insertInto('domain').values(row).execute(), () => duplicate(row.name));
  deps.changes.bump();
  return row;
}

export async function updateDomain(deps: ResourceDeps, id: string, input: DomainInput): Promise<DomainRow> {
  const current = await getDomain(deps.db, id);
  assertMutable(await optionsOf(deps.db, id), { ...input }, 'domain', id);
  const changes = commonChanges(current.extra, input);
  await writeResource(deps.db, 'domain', id, input, async (tx) => {
    if (Object.keys(changes).length > 0) await tx.updateTable('domain').set(changes).where('id', '=', id).execute();
  }, () => duplicate(input.name));
  // Tokens of the domain's users and projects are re-checked against domain.enabled on validation.
  deps.changes.bump();
  return getDomain(deps.db, id);
}

export async function deleteDomain(deps: ResourceDeps, id: string): Promise<void> {
  const domain = await getDomain(deps.db, id);
  // Insisting on a disabled domain avoids accidents, and stops callers deleting their own domain.
  if (domain.enabled) throw forbidden('Cannot delete a domain that is enabled, please disable it first.');
  assertDeletable(await optionsOf(deps.db, id), 'domain', id);
  await deps.db.transaction().execute((tx) => deleteDomainContents(tx, id));
  // Tokens of its users and projects fail anyway (the rows are gone); an explicit domain id can be
  // reused, so domain-scoped tokens are revoked outright.
  await deps.revocations.revoke({ domainId: id });
  deps.changes.bump();
}

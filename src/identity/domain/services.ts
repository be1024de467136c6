// Catalog services. Deleting a service deletes its endpoints with it, as Keystone's SQL driver does.
import type { Kysely } from 'kysely';
import { notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import type { IdentityDb, ServiceRow } from '../db/schema.js';
import type { IdentityWriteDeps } from './write-deps.js';

export interface ServiceInput {
  type?: string;
  name?: string;
  enabled?: boolean;
  description?: string | null;
  extra?: Record<string, unknown>;
}

type Db = Kysely<IdentityDb>;

export async function findService(db: Db, id: string): Promise<ServiceRow | undefined> {
  return db.selectFrom('service').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getService(db: Db, id: string): Promise<ServiceRow> {
  const row = await findService(db, id);
  if (!row) throw notFound(`Could not find service: ${id}.`);
  return row;
}

export async function createService(deps: IdentityWriteDeps, input: ServiceInput & { type: string }): Promise<ServiceRow> {
  const row: ServiceRow = {
    id: newHexId(), type: input.type, name: input.name ?? '', description: input.description ?? '',
    enabled: input.enabled === false ? 0 : 1, extra: JSON.stringify(input.extra ?? {}),
  };
  await deps.db.insertInto('service').values(row).execute();
  deps.changes.bump();
  return row;
}

export async function updateService(deps: IdentityWriteDeps, id: string, input: ServiceInput): Promise<ServiceRow> {
  const current = await getService(deps.db, id);
  const changes: Partial<ServiceRow> = {};
  if (input.type !== undefined) changes.type = input.type;
  if (input.name !== undefined) changes.name = input.name;
  if (input.enabled !== undefined) changes.enabled = input.enabled ? 1 : 0;
  if (input.description !== undefined) changes.description = input.description ?? '';
  if (input.extra && Object.keys(input.extra).length > 0) {
    changes.extra = JSON.stringify({ ...JSON.parse(current.extra), ...input.extra });
  }
  if (Object.keys(changes).length > 0) await deps.db.updateTable('service').set(changes).where('id', '=', id).execute();
  deps.changes.bump();
  return getService(deps.db, id);
}

export async function deleteService(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getService(deps.db, id);
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('endpoint').where('service_id', '=', id).execute();
    await tx.deleteFrom('service').where('id', '=', id).execute();
  });
  deps.changes.bump();
}

export async function listServices(db: Db, filters: { type?: string; name?: string }): Promise<ServiceRow[]> {
  let q = db.selectFrom('service').selectAll().orderBy('type').orderBy('id');
  if (filters.type !== undefined) q = q.where('type', '=', filters.type);
  if (filters.name !== undefined) q = q.where('name', '=', filters.name);
  return q.execute();
}

// OS-EP-FILTER endpoint groups: a named filter over endpoints (service_id, region_id, interface),
// which projects can be associated with.
import type { Kysely } from 'kysely';
import { notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import type { EndpointGroupRow, EndpointRow, IdentityDb } from '../db/schema.js';
import type { IdentityWriteDeps } from './write-deps.js';

export type EndpointFilter = Readonly<Partial<Record<'service_id' | 'region_id' | 'interface', string | null>>>;

export interface EndpointGroupInput {
  name?: string;
  description?: string | null;
  filters?: EndpointFilter;
}

type Db = Kysely<IdentityDb>;

export async function getEndpointGroup(db: Db, id: string): Promise<EndpointGroupRow> {
  const row = await db.selectFrom('endpoint_group').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Could not find Endpoint Group: ${id}.`);
  return row;
}

export async function createEndpointGroup(deps: IdentityWriteDeps, input: EndpointGroupInput & { name: string; filters: EndpointFilter }): Promise<EndpointGroupRow> {
  const row: EndpointGroupRow = {
    id: newHexId(), name: input.name, description: input.description ?? null, filters: JSON.stringify(input.filters),
  };
  await deps.db.insertInto('endpoint_group').values(row).execute();
  deps.changes.bump();
  return row;
}

export async function updateEndpointGroup(deps: IdentityWriteDeps, id: string, input: EndpointGroupInput): Promise<EndpointGroupRow> {
  await getEndpointGroup(deps.db, id);
  const changes: Partial<EndpointGroupRow> = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.description !== undefined) changes.description = input.description;
  if (input.filters !== undefined) changes.filters = JSON.stringify(input.filters);
  if (Object.keys(changes).length > 0) await deps.db.updateTable('endpoint_group').set(changes).where('id', '=', id).execute();
  deps.changes.bump();
  return getEndpointGroup(deps.db, id);
}

/** Project associations go with the group (foreign keys cascade). */
export async function deleteEndpointGroup(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getEndpointGroup(deps.db, id);
  await deps.db.deleteFrom('endpoint_group').where('id', '=', id).execute();
  deps.changes.bump();
}

export async function listEndpointGroups(db: Db, name: string | undefined): Promise<EndpointGroupRow[]> {
  let q = db.selectFrom('endpoint_group').selectAll().orderBy('name').orderBy('id');
  if (name !== undefined) q = q.where('name', '=', name);
  return q.execute();
}

export function groupFilters(row: EndpointGroupRow): EndpointFilter {
  return JSON.parse(row.filters) as EndpointFilter;
}

/** Keystone compares every filter key with the endpoint's attribute of the same name. */
export function matchesFilter(endpoint: EndpointRow, filters: EndpointFilter): boolean {
  return Object.entries(filters).every(([key, value]) => endpoint[key as keyof EndpointFilter] === value);
}

export async function endpointsInGroup(db: Db, id: string): Promise<EndpointRow[]> {
  const filters = groupFilters(await getEndpointGroup(db, id));
  const endpoints = await db.selectFrom('endpoint').selectAll().orderBy('id').execute();
  return endpoints.filter((e) => matchesFilter(e, filters));
}

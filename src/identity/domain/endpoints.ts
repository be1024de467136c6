// Catalog endpoints. The legacy `region` field auto-creates its region (Keystone keeps this for
// v2-style clients); `region_id` must name an existing one. Each write runs in one transaction, so
// a refused endpoint never leaves an auto-created region behind.
import type { Kysely } from 'kysely';
import { badRequest, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import type { EndpointRow, IdentityDb } from '../db/schema.js';
import { createRegion, findRegion } from './regions.js';
import { findService } from './services.js';
import type { IdentityWriteDeps } from './write-deps.js';

export interface EndpointInput {
  interface?: string;
  url?: string;
  service_id?: string;
  region_id?: string | null;
  /** Pre-v3.2 spelling of region_id; the region is created when missing. */
  region?: string | null;
  enabled?: boolean;
  extra?: Record<string, unknown>;
}

type Db = Kysely<IdentityDb>;

const missing = (attribute: string, target: string) => badRequest(`Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`);

export async function getEndpoint(db: Db, id: string): Promise<EndpointRow> {
  const row = await db.selectFrom('endpoint').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Could not find endpoint: ${id}.`);
  return row;
}

/** Resolves region/region_id to the region id to store, creating a legacy region if needed. */
async function resolveRegion(deps: IdentityWriteDeps, tx: Db, input: EndpointInput): Promise<string | null | undefined> {
  if ((input.region_id === undefined || input.region_id === null) && typeof input.region === 'string' && input.region !== '') {
    if (!(await findRegion(tx, input.region))) await createRegion(deps, { id: input.region }, tx);
    return input.region;
  }
  if (typeof input.region_id === 'string' && !(await findRegion(tx, input.region_id))) throw missing('endpoint region_id', 'region table');
  return input.region_id;
}

async function requireService(tx: Db, serviceId: string | undefined): Promise<void> {
  if (serviceId !== undefined && !(await findService(tx, serviceId))) throw missing('endpoint service_id', 'service table');
}

export async function createEndpoint(deps: IdentityWriteDeps, input: EndpointInput & { interface: string; url: string; service_id: string }): Promise<EndpointRow> {
  const row = await deps.db.transaction().execute(async (tx) => {
    await requireService(tx, input.service_id);
    const regionId = await resolveRegion(deps, tx, input);
    const endpoint: EndpointRow = {
      id: newHexId(), service_id: input.service_id, interface: input.interface, url: input.url,
      region_id: regionId ?? null, enabled: input.enabled === false ? 0 : 1, extra: JSON.stringify(input.extra ?? {}),
    };
    await tx.insertInto('endpoint').values(endpoint).execute();
    return endpoint;
  });
  deps.changes.bump();
  return row;
}

export async function updateEndpoint(deps: IdentityWriteDeps, id: string, input: EndpointInput): Promise<EndpointRow> {
  await deps.db.transaction().execute(async (tx) => {
    const current = await getEndpoint(tx, id);
    await requireService(tx, input.service_id);
    const regionId = await resolveRegion(deps, tx, input);
    const changes: Partial<EndpointRow> = {};
    if (input.interface !== undefined) changes.interface = input.interface;
    if (input.url !== undefined) changes.url = input.url;
    if (input.service_id !== undefined) changes.service_id = input.service_id;
    if (regionId !== undefined) changes.region_id = regionId;
    if (input.enabled !== undefined) changes.enabled = input.enabled ? 1 : 0;
    if (input.extra && Object.keys(input.extra).length > 0) {
      changes.extra = JSON.stringify({ ...JSON.parse(current.extra), ...input.extra });
    }
    if (Object.keys(changes).length > 0) await tx.updateTable('endpoint').set(changes).where('id', '=', id).execute();
  });
  deps.changes.bump();
  return getEndpoint(deps.db, id);
}

export async function deleteEndpoint(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getEndpoint(deps.db, id);
  await deps.db.deleteFrom('endpoint').where('id', '=', id).execute();
  deps.changes.bump();
}

export interface EndpointFilters { interface?: string; service_id?: string; region_id?: string }

export async function listEndpoints(db: Db, filters: EndpointFilters): Promise<EndpointRow[]> {
  let q = db.selectFrom('endpoint').selectAll().orderBy('service_id').orderBy('interface').orderBy('id');
  if (filters.interface !== undefined) q = q.where('interface', '=', filters.interface);
  if (filters.service_id !== undefined) q = q.where('service_id', '=', filters.service_id);
  if (filters.region_id !== undefined) q = q.where('region_id', '=', filters.region_id);
  return q.execute();
}

// OS-EP-FILTER associations: endpoints and endpoint groups made available to projects. A project's
// endpoints are its directly associated ones plus those matching its endpoint groups' filters.
import type { Kysely } from 'kysely';
import { conflict, notFound } from '../../core/errors.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { EndpointRow, IdentityDb, ProjectRow } from '../db/schema.js';
import { getEndpointGroup, groupFilters, matchesFilter } from './endpoint-groups.js';
import { getEndpoint } from './endpoints.js';
import type { IdentityWriteDeps } from './write-deps.js';

type Db = Kysely<IdentityDb>;

export async function getProject(db: Db, id: string): Promise<ProjectRow> {
  const row = await db.selectFrom('project').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Could not find project: ${id}.`);
  return row;
}

export async function addEndpointToProject(deps: IdentityWriteDeps, projectId: string, endpointId: string): Promise<void> {
  await getEndpoint(deps.db, endpointId);
  await getProject(deps.db, projectId);
  try {
    await deps.db.insertInto('project_endpoint').values({ endpoint_id: endpointId, project_id: projectId }).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('Conflict occurred attempting to store project_endpoint - Duplicate entry.');
    throw err;
  }
  deps.changes.bump();
}

export async function checkEndpointInProject(db: Db, projectId: string, endpointId: string): Promise<void> {
  await getEndpoint(db, endpointId);
  await getProject(db, projectId);
  const row = await db.selectFrom('project_endpoint').select('endpoint_id')
    .where('project_id', '=', projectId).where('endpoint_id', '=', endpointId).executeTakeFirst();
  if (!row) throw notFound(`Endpoint ${endpointId} not found in project ${projectId}`);
}

export async function removeEndpointFromProject(deps: IdentityWriteDeps, projectId: string, endpointId: string): Promise<void> {
  await checkEndpointInProject(deps.db, projectId, endpointId);
  await deps.db.deleteFrom('project_endpoint').where('project_id', '=', projectId).where('endpoint_id', '=', endpointId).execute();
  deps.changes.bump();
}

export async function projectsForEndpoint(db: Db, endpointId: string): Promise<ProjectRow[]> {
  await getEndpoint(db, endpointId);
  return db.selectFrom('project_endpoint as pe').innerJoin('project as p', 'p.id', 'pe.project_id')
    .selectAll('p').where('pe.endpoint_id', '=', endpointId).orderBy('p.name').execute();
}

export async function endpointsForProject(db: Db, projectId: string): Promise<EndpointRow[]> {
  await getProject(db, projectId);
  const direct = await db.selectFrom('project_endpoint').select('endpoint_id').where('project_id', '=', projectId).execute();
  const groups = await db.selectFrom('project_endpoint_group as pg').innerJoin('endpoint_group as g', 'g.id', 'pg.endpoint_group_id')
    .selectAll('g').where('pg.project_id', '=', projectId).execute();
  const ids = new Set(direct.map((d) => d.endpoint_id));
  const endpoints = await db.selectFrom('endpoint').selectAll().orderBy('id').execute();
  return endpoints.filter((e) => ids.has(e.id) || groups.some((g) => matchesFilter(e, groupFilters(g))));
}

export async function addGroupToProject(deps: IdentityWriteDeps, groupId: string, projectId: string): Promise<void> {
  await getProject(deps.db, projectId);
  await getEndpointGroup(deps.db, groupId);
  try {
    await deps.db.insertInto('project_endpoint_group').values({ endpoint_group_id: groupId, project_id: projectId }).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('Conflict occurred attempting to store project_endpoint_group - Duplicate entry.');
    throw err;
  }
  deps.changes.bump();
}

export async function checkGroupInProject(db: Db, groupId: string, projectId: string): Promise<void> {
  await getProject(db, projectId);
  await getEndpointGroup(db, groupId);
  const row = await db.selectFrom('project_endpoint_group').select('project_id')
    .where('endpoint_group_id', '=', groupId).where('project_id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound('Endpoint Group Project Association not found');
}

export async function removeGroupFromProject(deps: IdentityWriteDeps, groupId: string, projectId: string): Promise<void> {
  await checkGroupInProject(deps.db, groupId, projectId);
  await deps.db.deleteFrom('project_endpoint_group').where('endpoint_group_id', '=', groupId).where('project_id', '=', projectId).execute();
  deps.changes.bump();
}

export async function projectsForGroup(db: Db, groupId: string): Promise<ProjectRow[]> {
  await getEndpointGroup(db, groupId);
  return db.selectFrom('project_endpoint_group as pg').innerJoin('project as p', 'p.id', 'pg.project_id')
    .selectAll('p').where('pg.endpoint_group_id', '=', groupId).orderBy('p.name').execute();
}

export async function groupsForProject(db: Db, projectId: string) {
  await getProject(db, projectId);
  return db.selectFrom('project_endpoint_group as pg').innerJoin('endpoint_group as g', 'g.id', 'pg.endpoint_group_id')
    .selectAll('g').where('pg.project_id', '=', projectId).orderBy('g.name').execute();
}

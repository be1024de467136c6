// Catalog regions: a tree by parent_region_id. A region is deleted with its whole subtree, and
// only when no endpoint lives anywhere in it (Keystone's RegionDeletionError is a 403).
import type { Kysely } from 'kysely';
import { badRequest, conflict, forbidden, notFound } from '../../core/errors.js';
import { newHexId } from '../../core/ids.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { IdentityDb, RegionRow } from '../db/schema.js';
import type { IdentityWriteDeps } from './write-deps.js';

export interface RegionInput {
  id?: string;
  description?: string | null;
  parent_region_id?: string | null;
  extra?: Record<string, unknown>;
}

type Db = Kysely<IdentityDb>;

export async function findRegion(db: Db, id: string): Promise<RegionRow | undefined> {
  return db.selectFrom('region').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getRegion(db: Db, id: string): Promise<RegionRow> {
  const row = await findRegion(db, id);
  if (!row) throw notFound(`Could not find region: ${id}.`);
  return row;
}

async function requireParent(db: Db, parentId: string | null | undefined): Promise<void> {
  if (parentId !== null && parentId !== undefined) await getRegion(db, parentId);
}

export async function createRegion(deps: IdentityWriteDeps, input: RegionInput, db: Db = deps.db): Promise<RegionRow> {
  const id = input.id ?? newHexId();
  if (await findRegion(db, id)) throw conflict(`Conflict occurred attempting to store region - Duplicate ID, ${id}.`);
  await requireParent(db, input.parent_region_id);
  const row: RegionRow = {
    id, description: input.description ?? '', parent_region_id: input.parent_region_id ?? null,
    extra: JSON.stringify(input.extra ?? {}),
  };
  try {
    await db.insertInto('region').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Conflict occurred attempting to store region - Duplicate ID, ${id}.`);
    throw err;
  }
  deps.changes.bump();
  return row;
}

/** Walks up from the proposed parent: meeting the region itself means a cycle. */
async function assertNoCycle(db: Db, id: string, parentId: string): Promise<void> {
  const seen = new Set<string>();
  let current: string | null = parentId;
  while (current !== null && !seen.has(current)) {
    if (current === id) throw badRequest(`The specified parent region ${parentId} would create a circular region hierarchy.`);
    seen.add(current);
    current = (await findRegion(db, current))?.parent_region_id ?? null;
  }
}

export async function updateRegion(deps: IdentityWriteDeps, id: string, input: RegionInput): Promise<RegionRow> {
  await requireParent(deps.db, input.parent_region_id);
  const current = await getRegion(deps.db, id);
  const changes: Partial<RegionRow> = {};
  if (input.description !== undefined) changes.description = input.description ?? '';
  if (input.parent_region_id !== undefined) {
    if (input.parent_region_id !== null) await assertNoCycle(deps.db, id, input.parent_region_id);
    changes.parent_region_id = input.parent_region_id;
  }
  if (input.extra && Object.keys(input.extra).length > 0) {
    changes.extra = JSON.stringify({ ...JSON.parse(current.extra), ...input.extra });
  }
  if (Object.keys(changes).length > 0) await deps.db.updateTable('region').set(changes).where('id', '=', id).execute();
  deps.changes.bump();
  return getRegion(deps.db, id);
}

/** The region and all its descendants, parents before children. */
async function subtree(db: Db, id: string): Promise<string[]> {
  const ids = [id];
  for (let i = 0; i < ids.length; i++) {
    const children = await db.selectFrom('region').select('id').where('parent_region_id', '=', ids[i]!).execute();
    for (const c of children) if (!ids.includes(c.id)) ids.push(c.id);
  }
  return ids;
}

export async function deleteRegion(deps: IdentityWriteDeps, id: string): Promise<void> {
  await getRegion(deps.db, id);
  await deps.db.transaction().execute(async (tx) => {
    const ids = await subtree(tx, id);
    const used = await tx.selectFrom('endpoint').select('id').where('region_id', 'in', ids).executeTakeFirst();
    if (used) throw forbidden(`Unable to delete region ${id} because it or its child regions have associated endpoints.`);
    // Children first, so no row ever points at a deleted parent.
    for (const regionId of [...ids].reverse()) await tx.deleteFrom('region').where('id', '=', regionId).execute();
  });
  deps.changes.bump();
}

export async function listRegions(db: Db, parentRegionId: string | undefined): Promise<RegionRow[]> {
  let q = db.selectFrom('region').selectAll().orderBy('id');
  if (parentRegionId !== undefined) q = q.where('parent_region_id', '=', parentRegionId);
  return q.execute();
}

// Resource classes: the standard os-resource-classes ones (read-only) and CUSTOM_* ones that
// operators create (POST 1.2, idempotent PUT 1.7), rename (PUT 1.2–1.6) and delete when unused.
import type { Kysely } from 'kysely';
import type { PlacementDb, ResourceClassRow } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { badRequest, concurrentUpdate, conflict, notFound, resourceClassNotFoundText } from './errors.js';
import { isCustomName } from './standard-classes.js';
import { nextCustomId, now, type Db } from './store.js';

export async function listResourceClasses(db: Db): Promise<ResourceClassRow[]> {
  return db.selectFrom('plc_resource_class').selectAll().orderBy('id').execute();
}

export async function findResourceClass(db: Db, name: string): Promise<ResourceClassRow | undefined> {
  return db.selectFrom('plc_resource_class').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function requireResourceClass(db: Db, name: string): Promise<ResourceClassRow> {
  const rc = await findResourceClass(db, name);
  if (rc === undefined) throw notFound(resourceClassNotFoundText(name));
  return rc;
}

async function insertCustom(db: Db, name: string): Promise<ResourceClassRow> {
  const stamp = now();
  const row: ResourceClassRow = { id: await nextCustomId(db, 'plc_resource_class'), name, created_at: stamp, updated_at: stamp };
  await db.insertInto('plc_resource_class').values(row).execute();
  return row;
}

export async function createResourceClass(db: Kysely<PlacementDb>, name: string): Promise<ResourceClassRow> {
  return inTransaction(db, async (trx) => {
    if (await findResourceClass(trx, name) !== undefined) throw conflict(`Conflicting resource class already exists: ${name}`);
    return insertCustom(trx, name);
  }, () => conflict(`Max retries of DB transaction exceeded attempting to create resource class: ${name}, please try again.`));
}

/** PUT at 1.7+: create the custom class unless it exists; true when created. */
export async function ensureResourceClass(db: Kysely<PlacementDb>, name: string): Promise<{ row: ResourceClassRow; created: boolean }> {
  return inTransaction(db, async (trx) => {
    const existing = await findResourceClass(trx, name);
    if (existing !== undefined) return { row: existing, created: false };
    return { row: await insertCustom(trx, name), created: true };
  }, () => concurrentUpdate());
}

/** PUT at 1.2–1.6: rename a custom class. */
export async function renameResourceClass(db: Kysely<PlacementDb>, name: string, newName: string): Promise<ResourceClassRow> {
  return inTransaction(db, async (trx) => {
    const rc = await requireResourceClass(trx, name);
    if (!isCustomName(rc.name)) throw badRequest(`Cannot update standard resource class ${name}`);
    if (newName !== name && await findResourceClass(trx, newName) !== undefined) throw conflict(`Resource class already exists: ${newName}`);
    const stamp = now();
    await trx.updateTable('plc_resource_class').set({ name: newName, updated_at: stamp }).where('id', '=', rc.id).execute();
    return { ...rc, name: newName, updated_at: stamp };
  }, () => concurrentUpdate());
}

export async function deleteResourceClass(db: Kysely<PlacementDb>, name: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const rc = await requireResourceClass(trx, name);
    if (!isCustomName(rc.name)) throw badRequest(`Error in delete resource class: Cannot delete standard resource class ${name}.`);
    const inUse = await trx.selectFrom('plc_inventory').select('provider_uuid').where('resource_class_id', '=', rc.id).executeTakeFirst();
    if (inUse !== undefined) throw conflict(`Error in delete resource class: Cannot delete resource class ${name}. Class is in use in inventory.`);
    await trx.deleteFrom('plc_resource_class').where('id', '=', rc.id).execute();
  }, () => concurrentUpdate());
}

// Inventories: per provider and resource class, total/reserved/min_unit/max_unit/step_size/
// allocation_ratio. Every change checks the client's provider generation and moves it on;
// removing a class that allocations still use is refused (placement.inventory.inuse).
import type { Kysely } from 'kysely';
import type { InventoryRow, PlacementDb } from '../db/schema.js';
import { inTransaction, type PlacementTx } from '../db/transaction.js';
import { capacityAcceptable } from './capacity.js';
import { badRequest, CODES, conflict, notFound, resourceClassNotFoundText } from './errors.js';
import { requireProvider, type Provider } from './providers.js';
import { MAX_INT } from './schemas.js';
import { bumpProviderGeneration, now, resourceClassIds, resourceClassNames, type Db } from './store.js';

export interface InventoryInput {
  readonly total: number;
  readonly reserved: number;
  readonly min_unit: number;
  readonly max_unit: number;
  readonly step_size: number;
  readonly allocation_ratio: number;
}

/** Placement's INVENTORY_DEFAULTS applied to a validated record. */
export function withDefaults(raw: Record<string, unknown>): InventoryInput {
  const field = (key: string, fallback: number): number => (typeof raw[key] === 'number' ? (raw[key] as number) : fallback);
  return {
    total: field('total', 0), reserved: field('reserved', 0), min_unit: field('min_unit', 1), max_unit: field('max_unit', MAX_INT),
    step_size: field('step_size', 1), allocation_ratio: field('allocation_ratio', 1.0),
  };
}

export interface Inventory extends InventoryInput {
  readonly resource_class: string;
  readonly updated_at: string;
}

export async function providerInventories(db: Db, uuid: string): Promise<Inventory[]> {
  const rows = await db.selectFrom('plc_inventory').innerJoin('plc_resource_class', 'plc_resource_class.id', 'plc_inventory.resource_class_id')
    .selectAll('plc_inventory').select('plc_resource_class.name as rc_name')
    .where('plc_inventory.provider_uuid', '=', uuid).orderBy('plc_inventory.resource_class_id').execute();
  return rows.map((r) => toInventory(r, r.rc_name));
}

function toInventory(r: InventoryRow, name: string): Inventory {
  return {
    resource_class: name, total: r.total, reserved: r.reserved, min_unit: r.min_unit, max_unit: r.max_unit,
    step_size: r.step_size, allocation_ratio: Number(r.allocation_ratio), updated_at: r.updated_at,
  };
}

const GENERATION_CONFLICT = 'resource provider generation conflict';

function capacityMessage(rc: string, rp: string, reservedMayEqualTotal: boolean): string {
  return `Invalid inventory for '${rc}' on resource provider '${rp}'. The reserved value is greater than ${reservedMayEqualTotal ? '' : 'or equal to '}total.`;
}

/** Classes among `rcIds` that allocations on the provider use. */
async function classesInUse(trx: PlacementTx, uuid: string, rcIds: readonly number[]): Promise<number[]> {
  if (rcIds.length === 0) return [];
  const rows = await trx.selectFrom('plc_allocation').select('resource_class_id').distinct()
    .where('provider_uuid', '=', uuid).where('resource_class_id', 'in', [...rcIds]).execute();
  return rows.map((r) => r.resource_class_id).sort((a, b) => a - b);
}

export interface InventoryResult { readonly provider: Provider; readonly inventories: Inventory[] }

/**
 * PUT /resource_providers/{uuid}/inventories: replace every inventory at once. Unknown classes
 * and unacceptable capacities are 400s; removing a class in use is a 409.
 */
export async function setInventories(
  db: Kysely<PlacementDb>, uuid: string, generation: number, inventories: ReadonlyMap<string, InventoryInput>, reservedMayEqualTotal: boolean,
): Promise<InventoryResult> {
  return inTransaction(db, async (trx) => {
    const rp = await requireProvider(trx, uuid);
    if (generation !== rp.generation) throw conflict(GENERATION_CONFLICT, CODES.CONCURRENT_UPDATE);
    for (const [rc, inv] of inventories) {
      if (!capacityAcceptable(inv, reservedMayEqualTotal)) {
        throw badRequest(`Unable to update inventory for resource provider ${uuid}: ${capacityMessage(rc, uuid, reservedMayEqualTotal)}`);
      }
    }
    const ids = await resourceClassIds(trx, inventories.keys());
    for (const rc of inventories.keys()) {
      if (!ids.has(rc)) throw badRequest(`Unknown resource class in inventory for resource provider ${uuid}: ${resourceClassNotFoundText(rc)}`);
    }
    const existing = await trx.selectFrom('plc_inventory').selectAll().where('provider_uuid', '=', uuid).execute();
    const keep = new Set(ids.values());
    const removed = existing.filter((e) => !keep.has(e.resource_class_id)).map((e) => e.resource_class_id);
    const busy = await classesInUse(trx, uuid, removed);
    if (busy.length > 0) {
      const names = await resourceClassNames(trx);
      throw conflict(`update conflict: Inventory for '${busy.map((id) => names.get(id)).join(', ')}' on resource provider '${uuid}' in use.`, CODES.INVENTORY_INUSE);
    }
    if (removed.length > 0) {
      await trx.deleteFrom('plc_inventory').where('provider_uuid', '=', uuid).where('resource_class_id', 'in', removed).execute();
    }
    const stamp = now();
    const out: Inventory[] = [];
    const have = new Map(existing.map((e) => [e.resource_class_id, e]));
    for (const [rc, inv] of inventories) {
      const id = ids.get(rc)!;
      const prior = have.get(id);
      if (prior === undefined) {
        await trx.insertInto('plc_inventory').values({ provider_uuid: uuid, resource_class_id: id, ...inv, created_at: stamp, updated_at: stamp }).execute();
      } else {
        await trx.updateTable('plc_inventory').set({ ...inv, updated_at: stamp }).where('provider_uuid', '=', uuid).where('resource_class_id', '=', id).execute();
      }
      out.push({ resource_class: rc, ...inv, updated_at: stamp });
    }
    const gen = await bumpProviderGeneration(trx, uuid, rp.generation);
    return { provider: { ...rp, generation: gen }, inventories: out };
  }, () => conflict(`update conflict: Another thread concurrently updated the resource provider data. Please retry your update`, CODES.CONCURRENT_UPDATE));
}

/** DELETE /resource_providers/{uuid}/inventories (1.5): remove everything, unless in use. */
export async function deleteAllInventories(db: Kysely<PlacementDb>, uuid: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const rp = await requireProvider(trx, uuid);
    const existing = await trx.selectFrom('plc_inventory').select('resource_class_id').where('provider_uuid', '=', uuid).execute();
    const busy = await classesInUse(trx, uuid, existing.map((e) => e.resource_class_id));
    if (busy.length > 0) {
      const names = await resourceClassNames(trx);
      throw conflict(`Inventory for '${busy.map((id) => names.get(id)).join(', ')}' on resource provider '${uuid}' in use.`, CODES.INVENTORY_INUSE);
    }
    await trx.deleteFrom('plc_inventory').where('provider_uuid', '=', uuid).execute();
    await bumpProviderGeneration(trx, uuid, rp.generation);
  }, () => conflict(`Unable to delete inventory for resource provider ${uuid} because the inventory was updated by another process. Please retry your request.`, CODES.CONCURRENT_UPDATE));
}

/** POST /resource_providers/{uuid}/inventories: add one class (no generation in the body). */
export async function createInventory(
  db: Kysely<PlacementDb>, uuid: string, rc: string, inv: InventoryInput, reservedMayEqualTotal: boolean,
): Promise<{ provider: Provider; inventory: Inventory }> {
  return inTransaction(db, async (trx) => {
    const rp = await requireProvider(trx, uuid);
    if (!capacityAcceptable(inv, reservedMayEqualTotal)) {
      throw badRequest(`Unable to create inventory for resource provider ${uuid}: ${capacityMessage(rc, uuid, reservedMayEqualTotal)}`);
    }
    const id = (await resourceClassIds(trx, [rc])).get(rc);
    if (id === undefined) throw badRequest(`Unable to create inventory for resource provider ${uuid}: ${resourceClassNotFoundText(rc)}`);
    const exists = await trx.selectFrom('plc_inventory').select('provider_uuid').where('provider_uuid', '=', uuid).where('resource_class_id', '=', id).executeTakeFirst();
    if (exists !== undefined) {
      throw conflict(`Update conflict: Inventory for '${rc}' on resource provider '${uuid}' already exists.`, CODES.CONCURRENT_UPDATE);
    }
    const stamp = now();
    await trx.insertInto('plc_inventory').values({ provider_uuid: uuid, resource_class_id: id, ...inv, created_at: stamp, updated_at: stamp }).execute();
    const gen = await bumpProviderGeneration(trx, uuid, rp.generation);
    return { provider: { ...rp, generation: gen }, inventory: { resource_class: rc, ...inv, updated_at: stamp } };
  }, () => conflict('Update conflict: Another thread concurrently updated the resource provider data. Please retry your update', CODES.CONCURRENT_UPDATE));
}

/** PUT /resource_providers/{uuid}/inventories/{rc}: update one existing class. */
export async function updateInventory(
  db: Kysely<PlacementDb>, uuid: string, rc: string, generation: number, inv: InventoryInput, reservedMayEqualTotal: boolean,
): Promise<{ provider: Provider; inventory: Inventory }> {
  return inTransaction(db, async (trx) => {
    const rp = await requireProvider(trx, uuid);
    if (generation !== rp.generation) throw conflict(GENERATION_CONFLICT, CODES.CONCURRENT_UPDATE);
    if (!capacityAcceptable(inv, reservedMayEqualTotal)) {
      throw badRequest(`Unable to update inventory for resource provider ${uuid}: ${capacityMessage(rc, uuid, reservedMayEqualTotal)}`);
    }
    const id = (await resourceClassIds(trx, [rc])).get(rc);
    if (id === undefined) throw notFound(resourceClassNotFoundText(rc));
    const stamp = now();
    const res = await trx.updateTable('plc_inventory').set({ ...inv, updated_at: stamp })
      .where('provider_uuid', '=', uuid).where('resource_class_id', '=', id).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      throw badRequest(`No inventory record with resource class for resource provider ${uuid}: No inventory of class ${rc} found.`);
    }
    const gen = await bumpProviderGeneration(trx, uuid, rp.generation);
    return { provider: { ...rp, generation: gen }, inventory: { resource_class: rc, ...inv, updated_at: stamp } };
  }, () => conflict('update conflict: Another thread concurrently updated the resource provider data. Please retry your update', CODES.CONCURRENT_UPDATE));
}

/** DELETE /resource_providers/{uuid}/inventories/{rc}. */
export async function deleteInventory(db: Kysely<PlacementDb>, uuid: string, rc: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const rp = await requireProvider(trx, uuid);
    const id = (await resourceClassIds(trx, [rc])).get(rc);
    if (id === undefined) throw notFound(`No inventory of class ${rc} found for delete: ${resourceClassNotFoundText(rc)}`);
    if ((await classesInUse(trx, uuid, [id])).length > 0) {
      throw conflict(`Unable to delete inventory of class ${rc}: Inventory for '${rc}' on resource provider '${uuid}' in use.`, CODES.INVENTORY_INUSE);
    }
    const res = await trx.deleteFrom('plc_inventory').where('provider_uuid', '=', uuid).where('resource_class_id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw notFound(`No inventory of class ${rc} found for delete: No inventory of class ${rc} found.`);
    await bumpProviderGeneration(trx, uuid, rp.generation);
  }, () => conflict(`Unable to delete inventory of class ${rc}: Another thread concurrently updated the resource provider data. Please retry your update`, CODES.CONCURRENT_UPDATE));
}

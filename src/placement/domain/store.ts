// Small database helpers every placement module uses: the clock, the next integer id, name↔id
// lookups for resource classes and traits, usage sums and the generation compare-and-swap.
import type { Kysely } from 'kysely';
import { GenerationRace, type PlacementTx } from '../db/transaction.js';
import type { PlacementDb } from '../db/schema.js';
import { CUSTOM_ID_BASE, STANDARD_RESOURCE_CLASSES } from './standard-classes.js';
import { STANDARD_TRAITS } from './standard-traits.js';

export type Db = Kysely<PlacementDb> | PlacementTx;

export const now = (): string => new Date().toISOString();

/**
 * Slices of a list for IN (...) and multi-row VALUES: SQLite allows 32766 bound parameters per
 * statement and PostgreSQL 65535, and a 1 MB body can name more rows than that.
 */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Counts and sums come back as strings from PostgreSQL (bigint/numeric). */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** The next id of a table keyed by an integer `id`; a racing insert loses on the primary key. */
export async function nextId(db: Db, table: 'plc_resource_class' | 'plc_trait' | 'plc_provider', floor = 0): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.max<number | string | null>('id').as('max')).executeTakeFirst();
  return Math.max(num(row?.max), floor - 1) + 1;
}

export async function nextCustomId(db: Db, table: 'plc_resource_class' | 'plc_trait'): Promise<number> {
  return nextId(db, table, CUSTOM_ID_BASE);
}

/** Resource class name → id for the names that exist. */
export async function resourceClassIds(db: Db, names: Iterable<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunks([...new Set(names)])) {
    const rows = await db.selectFrom('plc_resource_class').select(['id', 'name']).where('name', 'in', part).execute();
    for (const r of rows) out.set(r.name, r.id);
  }
  return out;
}

export async function resourceClassNames(db: Db): Promise<Map<number, string>> {
  const rows = await db.selectFrom('plc_resource_class').select(['id', 'name']).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Trait name → id for the names that exist. */
export async function traitIds(db: Db, names: Iterable<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunks([...new Set(names)])) {
    const rows = await db.selectFrom('plc_trait').select(['id', 'name']).where('name', 'in', part).execute();
    for (const r of rows) out.set(r.name, r.id);
  }
  return out;
}

/** Used amounts per provider and class, optionally for some classes only. */
export async function usageByProvider(db: Db, classIds?: readonly number[]): Promise<Map<string, Map<number, number>>> {
  if (classIds !== undefined && classIds.length === 0) return new Map();
  let q = db.selectFrom('plc_allocation')
    .select(['provider_uuid', 'resource_class_id', (eb) => eb.fn.sum<number | string>('used').as('used')])
    .groupBy(['provider_uuid', 'resource_class_id']);
  if (classIds !== undefined) q = q.where('resource_class_id', 'in', [...classIds]);
  const out = new Map<string, Map<number, number>>();
  for (const r of await q.execute()) {
    let m = out.get(r.provider_uuid);
    if (m === undefined) out.set(r.provider_uuid, (m = new Map()));
    m.set(r.resource_class_id, num(r.used));
  }
  return out;
}

/**
 * Moves a provider's generation from `expected` to expected+1, or throws GenerationRace when a
 * concurrent writer moved it first (the caller's transaction is then retried).
 */
export async function bumpProviderGeneration(trx: PlacementTx, uuid: string, expected: number): Promise<number> {
  const res = await trx.updateTable('plc_provider').set({ generation: expected + 1, updated_at: now() })
    .where('uuid', '=', uuid).where('generation', '=', expected).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new GenerationRace(`resource provider ${uuid}`);
  return expected + 1;
}

export async function bumpConsumerGeneration(trx: PlacementTx, uuid: string, expected: number): Promise<number> {
  const res = await trx.updateTable('plc_consumer').set({ generation: expected + 1, updated_at: now() })
    .where('uuid', '=', uuid).where('generation', '=', expected).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new GenerationRace(`consumer ${uuid}`);
  return expected + 1;
}

/**
 * Inserts the standard resource classes (id = position in the os-resource-classes list) and
 * standard traits that are missing, so a newer list reaches an existing database at start-up.
 */
export async function syncStandards(db: Kysely<PlacementDb>): Promise<void> {
  const stamp = now();
  const haveRc = new Set((await db.selectFrom('plc_resource_class').select('name').execute()).map((r) => r.name));
  const missingRc = STANDARD_RESOURCE_CLASSES.map((name, id) => ({ id, name })).filter((r) => !haveRc.has(r.name));
  if (missingRc.length > 0) {
    await db.insertInto('plc_resource_class').values(missingRc.map((r) => ({ ...r, created_at: stamp, updated_at: stamp })))
      .onConflict((oc) => oc.doNothing()).execute();
  }
  const haveTraits = new Set((await db.selectFrom('plc_trait').select('name').execute()).map((r) => r.name));
  const missingTraits = STANDARD_TRAITS.filter((t) => !haveTraits.has(t));
  if (missingTraits.length === 0) return;
  // Standard traits take the ids below CUSTOM_ID_BASE that are still free.
  const used = new Set((await db.selectFrom('plc_trait').select('id').where('id', '<', CUSTOM_ID_BASE).execute()).map((r) => r.id));
  let next = 0;
  const rows = missingTraits.map((name) => {
    while (used.has(next)) next += 1;
    used.add(next);
    return { id: next, name, created_at: stamp, updated_at: stamp };
  });
  for (let i = 0; i < rows.length; i += 200) {
    await db.insertInto('plc_trait').values(rows.slice(i, i + 200)).onConflict((oc) => oc.doNothing()).execute();
  }
}

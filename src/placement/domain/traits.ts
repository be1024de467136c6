// Traits: standard os-traits names and CUSTOM_* ones (PUT /traits/{name} from 1.6), and the set
// of traits on a provider, replaced whole under the provider's generation.
import type { Kysely } from 'kysely';
import type { PlacementDb, TraitRow } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { badRequest, CODES, concurrentUpdate, conflict, notFound, traitNotFoundText } from './errors.js';
import { requireProvider, type Provider } from './providers.js';
import { isCustomName } from './standard-classes.js';
import { bumpProviderGeneration, chunks, nextCustomId, now, traitIds, type Db } from './store.js';

export interface TraitListFilter {
  readonly nameIn?: readonly string[];
  readonly prefix?: string;
  readonly associated?: boolean;
}

export async function listTraits(db: Db, filter: TraitListFilter): Promise<TraitRow[]> {
  let q = db.selectFrom('plc_trait').selectAll().orderBy('name');
  if (filter.nameIn !== undefined) {
    if (filter.nameIn.length === 0) return [];
    q = q.where('name', 'in', [...filter.nameIn]);
  }
  let rows = await q.execute();
  if (filter.prefix !== undefined) rows = rows.filter((r) => r.name.startsWith(filter.prefix!));
  if (filter.associated !== undefined) {
    const linked = new Set((await db.selectFrom('plc_provider_trait').select('trait_id').distinct().execute()).map((r) => r.trait_id));
    rows = rows.filter((r) => linked.has(r.id) === filter.associated);
  }
  return rows;
}

export async function findTrait(db: Db, name: string): Promise<TraitRow | undefined> {
  return db.selectFrom('plc_trait').selectAll().where('name', '=', name).executeTakeFirst();
}

/** PUT /traits/{name}: create a custom trait unless it exists; true when created. */
export async function ensureTrait(db: Kysely<PlacementDb>, name: string): Promise<{ row: TraitRow; created: boolean }> {
  return inTransaction(db, async (trx) => {
    const existing = await findTrait(trx, name);
    if (existing !== undefined) return { row: existing, created: false };
    const stamp = now();
    const row: TraitRow = { id: await nextCustomId(trx, 'plc_trait'), name, created_at: stamp, updated_at: stamp };
    await trx.insertInto('plc_trait').values(row).execute();
    return { row, created: true };
  }, () => concurrentUpdate());
}

export async function deleteTrait(db: Kysely<PlacementDb>, name: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const trait = await findTrait(trx, name);
    if (trait === undefined) throw notFound(traitNotFoundText([name]));
    if (!isCustomName(trait.name)) throw badRequest(`Cannot delete standard trait ${name}.`);
    const inUse = await trx.selectFrom('plc_provider_trait').select('provider_uuid').where('trait_id', '=', trait.id).executeTakeFirst();
    if (inUse !== undefined) throw conflict(`The trait ${name} is in use by a resource provider.`);
    await trx.deleteFrom('plc_trait').where('id', '=', trait.id).execute();
  }, () => concurrentUpdate());
}

export async function providerTraits(db: Db, uuid: string): Promise<TraitRow[]> {
  return db.selectFrom('plc_provider_trait').innerJoin('plc_trait', 'plc_trait.id', 'plc_provider_trait.trait_id')
    .select(['plc_trait.id', 'plc_trait.name', 'plc_trait.created_at', 'plc_trait.updated_at'])
    .where('plc_provider_trait.provider_uuid', '=', uuid).orderBy('plc_trait.name').execute();
}

const GENERATION_CHANGED = "Resource provider's generation already changed. Please update the generation and try again.";

/**
 * Replaces a provider's traits. `generation` is the client's view (PUT); undefined means no
 * check (DELETE). Either way the generation moves on.
 */
export async function setProviderTraits(
  db: Kysely<PlacementDb>, uuid: string, names: readonly string[], generation: number | undefined,
): Promise<{ provider: Provider; traits: string[] }> {
  return inTransaction(db, async (trx) => {
    const rp = await requireProvider(trx, uuid);
    if (generation !== undefined && generation !== rp.generation) throw conflict(GENERATION_CHANGED, CODES.CONCURRENT_UPDATE);
    const wanted = [...new Set(names)];
    const ids = await traitIds(trx, wanted);
    const missing = wanted.filter((n) => !ids.has(n));
    if (missing.length > 0) throw badRequest(`No such trait ${missing.join(', ')}`);
    await trx.deleteFrom('plc_provider_trait').where('provider_uuid', '=', uuid).execute();
    for (const part of chunks([...ids.values()])) {
      await trx.insertInto('plc_provider_trait').values(part.map((trait_id) => ({ provider_uuid: uuid, trait_id }))).execute();
    }
    const gen = await bumpProviderGeneration(trx, uuid, rp.generation);
    return { provider: { ...rp, generation: gen }, traits: [...ids.keys()].sort() };
  }, () => concurrentUpdate());
}

// A provider's aggregates: a set of aggregate uuids, replaced whole. From 1.19 the request
// carries the provider generation and the write moves it on.
import type { Kysely } from 'kysely';
import type { PlacementDb } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { CODES, conflict } from './errors.js';
import { requireProvider, type Provider } from './providers.js';
import { bumpProviderGeneration, chunks, now, type Db } from './store.js';

export async function providerAggregates(db: Db, uuid: string): Promise<string[]> {
  const rows = await db.selectFrom('plc_provider_aggregate').select('aggregate_uuid').where('provider_uuid', '=', uuid).orderBy('aggregate_uuid').execute();
  return rows.map((r) => r.aggregate_uuid);
}

/** `generation` undefined (before 1.19): no check and, as placement does, no bump. */
export async function setProviderAggregates(
  db: Kysely<PlacementDb>, uuid: string, aggregates: readonly string[], generation: number | undefined,
): Promise<{ provider: Provider; aggregates: string[] }> {
  return inTransaction(db, async (trx) => {
    const rp = await requireProvider(trx, uuid);
    if (generation !== undefined && generation !== rp.generation) {
      throw conflict("Resource provider's generation already changed. Please update the generation and try again.", CODES.CONCURRENT_UPDATE);
    }
    const wanted = [...new Set(aggregates)];
    await trx.deleteFrom('plc_provider_aggregate').where('provider_uuid', '=', uuid).execute();
    for (const part of chunks(wanted)) {
      await trx.insertInto('plc_provider_aggregate').values(part.map((aggregate_uuid) => ({ provider_uuid: uuid, aggregate_uuid }))).execute();
    }
    let provider = rp;
    if (generation !== undefined) {
      provider = { ...rp, generation: await bumpProviderGeneration(trx, uuid, rp.generation) };
    } else {
      await trx.updateTable('plc_provider').set({ updated_at: now() }).where('uuid', '=', uuid).execute();
    }
    return { provider, aggregates: wanted };
  }, (err) => conflict(`Update conflict: ${(err as Error).message}`, CODES.CONCURRENT_UPDATE));
}

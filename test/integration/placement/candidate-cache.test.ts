// Allocation candidates read traits and inventories from a per-process cache keyed by each
// provider's generation: every change made between two requests — through this API, or straight
// in the database as another placement process would, with the generation bump that comes with
// it — must show in the next answer; a deleted and re-created provider must not inherit the old one.
// Each provider's answer and rendering are also remembered while its usage, aggregates and tree
// stay the same: changes that move no generation (a deleted consumer, an aggregate written
// directly, a summary's usage) must show too, in the search and in the rendered summary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlacement, type PlacementHarness } from '../../support/placement-harness.js';

describe('placement allocation candidates follow changes between requests', () => {
  let h: PlacementHarness;
  before(async () => { h = await startPlacement(); });
  after(async () => { await h?.close(); });

  const candidates = async (query: string): Promise<string[]> => {
    const res = await h.request('GET', `/allocation_candidates?${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return Object.keys(res.json().provider_summaries).sort();
  };

  it('sees trait, inventory, provider and out-of-process changes', async () => {
    const a = await h.createProvider('cache-a');
    const b = await h.createProvider('cache-b');
    const inv = (total: number) => ({ VCPU: { total }, MEMORY_MB: { total: 2048 } });
    await h.setInventory(a.uuid, inv(4));
    await h.setInventory(b.uuid, inv(4));
    assert.deepEqual(await candidates('resources=VCPU:2'), [a.uuid, b.uuid].sort());
    assert.equal((await h.request('PUT', '/traits/CUSTOM_FAST')).statusCode, 201);
    assert.deepEqual(await candidates('resources=VCPU:2&required=CUSTOM_FAST'), []);

    await h.setTraits(b.uuid, ['CUSTOM_FAST']);
    assert.deepEqual(await candidates('resources=VCPU:2&required=CUSTOM_FAST'), [b.uuid]);
    await h.setInventory(a.uuid, inv(1));
    assert.deepEqual(await candidates('resources=VCPU:2'), [b.uuid]);

    // Another process: rows written directly, with the generation moved in the same transaction.
    const fast = await h.db.selectFrom('plc_trait').select('id').where('name', '=', 'CUSTOM_FAST').executeTakeFirstOrThrow();
    await h.db.transaction().execute(async (trx) => {
      await trx.insertInto('plc_provider_trait').values({ provider_uuid: a.uuid, trait_id: fast.id }).execute();
      await trx.updateTable('plc_inventory').set({ total: 8 }).where('provider_uuid', '=', a.uuid).execute();
      const row = await trx.selectFrom('plc_provider').select('generation').where('uuid', '=', a.uuid).executeTakeFirstOrThrow();
      await trx.updateTable('plc_provider').set({ generation: row.generation + 1 }).where('uuid', '=', a.uuid).execute();
    });
    assert.deepEqual(await candidates('resources=VCPU:6&required=CUSTOM_FAST'), [a.uuid]);

    // Deleted, then created again under the same uuid: nothing of the old one is served.
    assert.equal((await h.request('DELETE', `/resource_providers/${b.uuid}`)).statusCode, 204);
    assert.deepEqual(await candidates('resources=VCPU:2&required=CUSTOM_FAST'), [a.uuid]);
    await h.createProvider('cache-b2', { uuid: b.uuid });
    await h.setInventory(b.uuid, inv(4));
    assert.deepEqual(await candidates('resources=VCPU:2&required=CUSTOM_FAST'), [a.uuid]);
    assert.deepEqual(await candidates('resources=VCPU:2'), [a.uuid, b.uuid].sort());
  });

  it('sees usage and aggregate changes that move no generation', async () => {
    const c = await h.createProvider('usage-c');
    await h.setInventory(c.uuid, { VCPU: { total: 4 }, MEMORY_MB: { total: 2048 } });
    const only = `in_tree=${c.uuid}`;
    const answer = async (query: string) => {
      const res = await h.request('GET', `/allocation_candidates?${query}&${only}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    assert.equal((await answer('resources=VCPU:2')).allocation_requests.length, 1);
    assert.equal((await answer('resources=VCPU:1')).provider_summaries[c.uuid].resources.VCPU.used, 0);

    const consumer = '5f0c9a8e-7b1d-4c2e-9f3a-0d1e2f3a4b5c';
    const put = await h.request('PUT', `/allocations/${consumer}`, { body: {
      allocations: { [c.uuid]: { resources: { VCPU: 3 } } }, project_id: 'p', user_id: 'u', consumer_generation: null, consumer_type: 'INSTANCE',
    } });
    assert.equal(put.statusCode, 204, put.body);
    assert.equal((await answer('resources=VCPU:2')).allocation_requests.length, 0);
    assert.equal((await answer('resources=VCPU:1')).provider_summaries[c.uuid].resources.VCPU.used, 3);

    // DELETE /allocations/{consumer} moves no provider generation.
    assert.equal((await h.request('DELETE', `/allocations/${consumer}`)).statusCode, 204);
    assert.equal((await answer('resources=VCPU:2')).allocation_requests.length, 1);
    assert.equal((await answer('resources=VCPU:1')).provider_summaries[c.uuid].resources.VCPU.used, 0);

    // An aggregate row written directly, with no generation bump (as before microversion 1.19).
    const agg = '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9';
    assert.equal((await answer(`resources=VCPU:1&member_of=${agg}`)).allocation_requests.length, 0);
    await h.db.insertInto('plc_provider_aggregate').values({ provider_uuid: c.uuid, aggregate_uuid: agg }).execute();
    assert.equal((await answer(`resources=VCPU:1&member_of=${agg}`)).allocation_requests.length, 1);
  });
});

// Races. On SQLite the writers are serialised by the single connection; on PostgreSQL
// (NIMBUS_TEST_DATABASE_URL) they truly overlap, and the provider-generation compare-and-swap
// plus the transaction retry must let exactly as many consumers win as the capacity allows —
// never more, never a 500.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPlacement, type PlacementHarness } from '../../support/placement-harness.js';

describe('placement under concurrency', () => {
  let h: PlacementHarness;
  before(async () => { h = await startPlacement(); });
  after(async () => { await h.close(); });

  const claim = (rp: string, consumer: string, resources: Record<string, number>) => h.request('PUT', `/allocations/${consumer}`, {
    body: { allocations: { [rp]: { resources } }, project_id: 'p', user_id: 'u', consumer_generation: null, consumer_type: 'INSTANCE' },
  });

  it('12 consumers racing for 10 VCPUs, 3 each: exactly 3 win, the rest get the capacity 409', async () => {
    const rp = await h.createProvider('race-cap');
    await h.setInventory(rp.uuid, { VCPU: { total: 10 } });
    const gen0 = (await h.request('GET', `/resource_providers/${rp.uuid}`)).json().generation;
    const results = await Promise.all(Array.from({ length: 12 }, () => claim(rp.uuid, randomUUID(), { VCPU: 3 })));
    const won = results.filter((r) => r.statusCode === 204);
    const lost = results.filter((r) => r.statusCode !== 204);
    assert.equal(won.length, 3, results.map((r) => `${r.statusCode} ${r.body}`).join('\n'));
    for (const l of lost) {
      assert.equal(l.statusCode, 409, l.body);
      assert.match(l.json().errors[0].detail, /The requested amount would exceed the capacity\./);
    }
    const usage = (await h.request('GET', `/resource_providers/${rp.uuid}/usages`)).json();
    assert.deepEqual(usage.usages, { VCPU: 9 });
    assert.equal(usage.resource_provider_generation, gen0 + 3);
  });

  it('the last unit goes to exactly one of 8 racers', async () => {
    const rp = await h.createProvider('race-last');
    await h.setInventory(rp.uuid, { DISK_GB: { total: 5 } });
    assert.equal((await claim(rp.uuid, randomUUID(), { DISK_GB: 4 })).statusCode, 204);
    const results = await Promise.all(Array.from({ length: 8 }, () => claim(rp.uuid, randomUUID(), { DISK_GB: 1 })));
    assert.equal(results.filter((r) => r.statusCode === 204).length, 1, results.map((r) => r.body).join('\n'));
    assert.ok(results.every((r) => r.statusCode === 204 || r.statusCode === 409));
    assert.deepEqual((await h.request('GET', `/resource_providers/${rp.uuid}/usages`)).json().usages, { DISK_GB: 5 });
  });

  it('racing writes to one consumer with the same generation: one wins, the others are concurrent_update', async () => {
    const rp = await h.createProvider('race-consumer');
    await h.setInventory(rp.uuid, { VCPU: { total: 100 } });
    const consumer = randomUUID();
    assert.equal((await claim(rp.uuid, consumer, { VCPU: 1 })).statusCode, 204);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => h.request('PUT', `/allocations/${consumer}`, {
      body: { allocations: { [rp.uuid]: { resources: { VCPU: 2 + i } } }, project_id: 'p', user_id: 'u', consumer_generation: 1, consumer_type: 'INSTANCE' },
    })));
    assert.equal(results.filter((r) => r.statusCode === 204).length, 1);
    for (const r of results.filter((x) => x.statusCode !== 204)) {
      assert.equal(r.statusCode, 409);
      assert.equal(r.json().errors[0].code, 'placement.concurrent_update');
    }
    const final = (await h.request('GET', `/allocations/${consumer}`)).json();
    assert.equal(final.consumer_generation, 2);
  });

  it('an inventory change racing allocations never leaves usage above capacity', async () => {
    const rp = await h.createProvider('race-inventory');
    const gen = await h.setInventory(rp.uuid, { MEMORY_MB: { total: 1000 } });
    const shrink = h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, {
      body: { resource_provider_generation: gen, inventories: { MEMORY_MB: { total: 300 } } },
    });
    const claims = Array.from({ length: 6 }, () => claim(rp.uuid, randomUUID(), { MEMORY_MB: 100 }));
    const [shrunk, ...results] = await Promise.all([shrink, ...claims]);
    assert.ok([200, 409].includes(shrunk!.statusCode), shrunk!.body);
    assert.ok(results.every((r) => r.statusCode === 204 || r.statusCode === 409), results.map((r) => r.body).join('\n'));
    const inv = (await h.request('GET', `/resource_providers/${rp.uuid}/inventories`)).json().inventories.MEMORY_MB;
    const used = (await h.request('GET', `/resource_providers/${rp.uuid}/usages`)).json().usages.MEMORY_MB;
    // Claims admitted before the shrink may exceed the new total (placement allows shrinking
    // below usage); claims after it never do.
    const wonAfter = results.filter((r) => r.statusCode === 204).length;
    assert.equal(used, wonAfter * 100);
    if (shrunk!.statusCode === 409) assert.equal(inv.total, 1000);
    assert.ok(used <= 600);
  });

  it('racing creations of one trait, class and provider name: one creates, nobody sees a 500', async () => {
    const traits = await Promise.all(Array.from({ length: 6 }, () => h.request('PUT', '/traits/CUSTOM_RACE')));
    assert.equal(traits.filter((r) => r.statusCode === 201).length, 1);
    assert.ok(traits.every((r) => r.statusCode === 201 || r.statusCode === 204));
    const classes = await Promise.all(Array.from({ length: 6 }, () => h.request('PUT', '/resource_classes/CUSTOM_RACE')));
    assert.equal(classes.filter((r) => r.statusCode === 201).length, 1);
    assert.ok(classes.every((r) => r.statusCode === 201 || r.statusCode === 204));
    const providers = await Promise.all(Array.from({ length: 6 }, () => h.request('POST', '/resource_providers', { body: { name: 'race-name' } })));
    assert.equal(providers.filter((r) => r.statusCode === 200).length, 1);
    for (const r of providers.filter((x) => x.statusCode !== 200)) {
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(r.json().errors[0].code, 'placement.duplicate_name');
    }
    const many = await Promise.all(Array.from({ length: 6 }, (_, i) => h.request('POST', '/resource_providers', { body: { name: `race-many-${i}` } })));
    assert.ok(many.every((r) => r.statusCode === 200), many.map((r) => r.body).join('\n'));
  });
});

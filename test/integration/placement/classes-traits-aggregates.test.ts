// Resource classes (1.2, PUT-create 1.7), traits (1.6) on their own and on providers, and
// provider aggregates (1.1, generation-checked from 1.19).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPlacement, type PlacementHarness } from '../../support/placement-harness.js';

describe('placement resource classes, traits and aggregates', () => {
  let h: PlacementHarness;
  before(async () => { h = await startPlacement(); });
  after(async () => { await h.close(); });

  it('lists the standard classes first and manages custom ones', async () => {
    assert.equal((await h.request('GET', '/resource_classes', { version: '1.1' })).statusCode, 404);
    const list = (await h.request('GET', '/resource_classes', { version: '1.2' })).json().resource_classes as { name: string; links: unknown[] }[];
    assert.deepEqual(list.slice(0, 3).map((r) => r.name), ['VCPU', 'MEMORY_MB', 'DISK_GB']);
    assert.ok(list.some((r) => r.name === 'NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC'));
    assert.deepEqual(list[0]!.links, [{ rel: 'self', href: '/resource_classes/VCPU' }]);

    const post = await h.request('POST', '/resource_classes', { version: '1.2', body: { name: 'CUSTOM_GOLD' } });
    assert.equal(post.statusCode, 201);
    assert.equal(post.body, '');
    assert.match(String(post.headers.location), /\/resource_classes\/CUSTOM_GOLD$/);
    const dup = await h.request('POST', '/resource_classes', { version: '1.2', body: { name: 'CUSTOM_GOLD' } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().errors[0].detail, 'Conflicting resource class already exists: CUSTOM_GOLD');
    const bad = await h.request('POST', '/resource_classes', { version: '1.2', body: { name: 'GOLD' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().errors[0].detail, /'GOLD' does not match '\^CUSTOM_\[A-Z0-9_\]\+\$'/);

    const rename = await h.request('PUT', '/resource_classes/CUSTOM_GOLD', { version: '1.6', body: { name: 'CUSTOM_SILVER' } });
    assert.equal(rename.statusCode, 200);
    assert.equal(rename.json().name, 'CUSTOM_SILVER');
    const std = await h.request('PUT', '/resource_classes/VCPU', { version: '1.6', body: { name: 'CUSTOM_VCPU' } });
    assert.equal(std.statusCode, 400);
    assert.equal(std.json().errors[0].detail, 'Cannot update standard resource class VCPU');

    const create = await h.request('PUT', '/resource_classes/CUSTOM_BRONZE', { version: '1.7' });
    assert.equal(create.statusCode, 201);
    assert.equal((await h.request('PUT', '/resource_classes/CUSTOM_BRONZE', { version: '1.7' })).statusCode, 204);
    const notCustom = await h.request('PUT', '/resource_classes/VCPU', { version: '1.7' });
    assert.equal(notCustom.statusCode, 400);
    assert.match(notCustom.json().errors[0].detail, /^JSON does not validate: 'VCPU' does not match/);

    const show = await h.request('GET', '/resource_classes/CUSTOM_BRONZE', { version: '1.2' });
    assert.deepEqual(show.json(), { name: 'CUSTOM_BRONZE', links: [{ rel: 'self', href: '/resource_classes/CUSTOM_BRONZE' }] });
    const missing = await h.request('GET', '/resource_classes/CUSTOM_NOPE', { version: '1.2' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().errors[0].detail, 'No such resource class CUSTOM_NOPE.');

    const rp = await h.createProvider('rc-user');
    await h.setInventory(rp.uuid, { CUSTOM_BRONZE: { total: 3 } });
    const inUse = await h.request('DELETE', '/resource_classes/CUSTOM_BRONZE');
    assert.equal(inUse.statusCode, 409);
    assert.match(inUse.json().errors[0].detail, /Cannot delete resource class CUSTOM_BRONZE\. Class is in use in inventory\./);
    const delStd = await h.request('DELETE', '/resource_classes/VCPU');
    assert.equal(delStd.statusCode, 400);
    assert.match(delStd.json().errors[0].detail, /Cannot delete standard resource class VCPU\./);
    assert.equal((await h.request('DELETE', '/resource_classes/CUSTOM_SILVER')).statusCode, 204);
    assert.equal((await h.request('GET', '/resource_classes/CUSTOM_SILVER')).statusCode, 404);
  });

  it('creates, filters and deletes traits', async () => {
    assert.equal((await h.request('GET', '/traits', { version: '1.5' })).statusCode, 404);
    const all = (await h.request('GET', '/traits')).json().traits as string[];
    for (const t of ['MISC_SHARES_VIA_AGGREGATE', 'HW_CPU_X86_AVX2', 'COMPUTE_VOLUME_MULTI_ATTACH', 'STORAGE_DISK_SSD']) assert.ok(all.includes(t), t);
    assert.equal((await h.request('PUT', '/traits/CUSTOM_FAST')).statusCode, 201);
    const again = await h.request('PUT', '/traits/CUSTOM_FAST');
    assert.equal(again.statusCode, 204);
    assert.match(String(again.headers.location), /\/traits\/CUSTOM_FAST$/);
    const invalid = await h.request('PUT', '/traits/fast');
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.json().errors[0].detail, /The trait is invalid\. A valid trait must be no longer than 255 characters/);
    assert.equal((await h.request('GET', '/traits/CUSTOM_FAST')).statusCode, 204);
    const nope = await h.request('GET', '/traits/CUSTOM_NOPE');
    assert.equal(nope.statusCode, 404);
    assert.equal(nope.json().errors[0].detail, 'No such trait(s): CUSTOM_NOPE.');

    const inList = (await h.request('GET', '/traits?name=in:CUSTOM_FAST,STORAGE_DISK_SSD,CUSTOM_NOPE')).json().traits;
    assert.deepEqual(inList.sort(), ['CUSTOM_FAST', 'STORAGE_DISK_SSD']);
    const prefixed = (await h.request('GET', '/traits?name=startswith:CUSTOM_')).json().traits;
    assert.deepEqual(prefixed, ['CUSTOM_FAST']);
    const badName = await h.request('GET', '/traits?name=CUSTOM_FAST');
    assert.equal(badName.statusCode, 400);
    assert.match(badName.json().errors[0].detail, /Badly formatted name parameter/);
    const badAssoc = await h.request('GET', '/traits?associated=maybe');
    assert.equal(badAssoc.json().errors[0].detail, 'The query parameter "associated" only accepts "true" or "false"');

    const rp = await h.createProvider('trait-user');
    const set = await h.request('PUT', `/resource_providers/${rp.uuid}/traits`, { body: { resource_provider_generation: 0, traits: ['CUSTOM_FAST', 'HW_CPU_X86_AVX2'] } });
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(set.json(), { traits: ['CUSTOM_FAST', 'HW_CPU_X86_AVX2'], resource_provider_generation: 1 });
    const stale = await h.request('PUT', `/resource_providers/${rp.uuid}/traits`, { body: { resource_provider_generation: 0, traits: [] } });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().errors[0].code, 'placement.concurrent_update');
    const unknown = await h.request('PUT', `/resource_providers/${rp.uuid}/traits`, { body: { resource_provider_generation: 1, traits: ['CUSTOM_NOPE'] } });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().errors[0].detail, 'No such trait CUSTOM_NOPE');
    assert.deepEqual((await h.request('GET', '/traits?associated=true')).json().traits.sort(), ['CUSTOM_FAST', 'HW_CPU_X86_AVX2']);
    const busy = await h.request('DELETE', '/traits/CUSTOM_FAST');
    assert.equal(busy.statusCode, 409);
    assert.equal(busy.json().errors[0].detail, 'The trait CUSTOM_FAST is in use by a resource provider.');
    const std = await h.request('DELETE', '/traits/HW_CPU_X86_AVX2');
    assert.equal(std.statusCode, 400);
    assert.equal(std.json().errors[0].detail, 'Cannot delete standard trait HW_CPU_X86_AVX2.');
    assert.equal((await h.request('DELETE', `/resource_providers/${rp.uuid}/traits`)).statusCode, 204);
    const after = (await h.request('GET', `/resource_providers/${rp.uuid}/traits`)).json();
    assert.deepEqual(after, { traits: [], resource_provider_generation: 2 });
    assert.equal((await h.request('DELETE', '/traits/CUSTOM_FAST')).statusCode, 204);
    const rpMissing = await h.request('GET', `/resource_providers/${randomUUID()}/traits`);
    assert.equal(rpMissing.statusCode, 404);
  });

  it('sets aggregates as a list before 1.19 and with the generation from 1.19', async () => {
    const rp = await h.createProvider('agg-user');
    const agg = [randomUUID(), randomUUID()];
    assert.equal((await h.request('GET', `/resource_providers/${rp.uuid}/aggregates`, { version: '1.0' })).statusCode, 404);
    const old = await h.request('PUT', `/resource_providers/${rp.uuid}/aggregates`, { version: '1.1', body: agg });
    assert.equal(old.statusCode, 200, old.body);
    assert.deepEqual(old.json(), { aggregates: agg });
    assert.equal((await h.request('GET', `/resource_providers/${rp.uuid}`)).json().generation, 0);
    const got = (await h.request('GET', `/resource_providers/${rp.uuid}/aggregates`)).json();
    assert.deepEqual(got.aggregates.sort(), [...agg].sort());
    assert.equal(got.resource_provider_generation, 0);
    const dup = await h.request('PUT', `/resource_providers/${rp.uuid}/aggregates`, { version: '1.1', body: [agg[0], agg[0]] });
    assert.equal(dup.statusCode, 400);
    assert.match(dup.json().errors[0].detail, /has non-unique elements/);
    const listAt119 = await h.request('PUT', `/resource_providers/${rp.uuid}/aggregates`, { version: '1.19', body: agg });
    assert.equal(listAt119.statusCode, 400);
    const stale = await h.request('PUT', `/resource_providers/${rp.uuid}/aggregates`, { body: { aggregates: [], resource_provider_generation: 5 } });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().errors[0].code, 'placement.concurrent_update');
    const ok = await h.request('PUT', `/resource_providers/${rp.uuid}/aggregates`, { body: { aggregates: [agg[1]], resource_provider_generation: 0 } });
    assert.deepEqual(ok.json(), { aggregates: [agg[1]], resource_provider_generation: 1 });
    const badUuid = await h.request('PUT', `/resource_providers/${rp.uuid}/aggregates`, { body: { aggregates: ['nope'], resource_provider_generation: 1 } });
    assert.equal(badUuid.statusCode, 400);
  });

  it('copes with very large sets in one body', async () => {
    const rp = await h.createProvider('big-sets');
    const aggregates = Array.from({ length: 20000 }, () => randomUUID());
    const aggs = await h.request('PUT', `/resource_providers/${rp.uuid}/aggregates`, { body: { aggregates, resource_provider_generation: 0 } });
    assert.equal(aggs.statusCode, 200, aggs.body.slice(0, 300));
    assert.equal((await h.request('GET', `/resource_providers/${rp.uuid}/aggregates`)).json().aggregates.length, 20000);
    const traits = Array.from({ length: 40000 }, (_, i) => `CUSTOM_T${i}`);
    const res = await h.request('PUT', `/resource_providers/${rp.uuid}/traits`, { body: { traits, resource_provider_generation: 1 } });
    assert.equal(res.statusCode, 400, res.body.slice(0, 300));
    assert.match(res.json().errors[0].detail, /^No such trait CUSTOM_T0, CUSTOM_T1/);
    const tooBig = await h.request('PUT', `/resource_providers/${rp.uuid}/aggregates`, { body: { aggregates: [...aggregates, ...aggregates], resource_provider_generation: 1 } });
    assert.equal(tooBig.statusCode, 413);
  });
});

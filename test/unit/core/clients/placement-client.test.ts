import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  PlacementClient, ServiceApiError, candidateQuery, isConcurrentUpdate, queryString, type AuthProvider,
} from '../../../../src/core/clients/index.js';
import { startFakePlacement, type FakePlacement } from './fake-placement.js';

describe('PlacementClient', () => {
  let fake: FakePlacement;
  let client: PlacementClient;
  before(async () => {
    fake = await startFakePlacement();
    const auth: AuthProvider = { token: async () => 'svc-token', invalidate: () => undefined, endpoint: async () => fake.url };
    client = PlacementClient.create(auth, { retry: { baseDelayMs: 1 } });
  });
  beforeEach(() => {
    fake.beforeWrite = () => undefined;
  });
  after(async () => fake.close());

  test('every request says microversion 1.36 and goes to the catalog endpoint', async () => {
    await client.getResourceProvider(randomUUID());
    const req = fake.requests.at(-1)!;
    assert.equal(req.headers['openstack-api-version'], 'placement 1.36');
    assert.equal(req.headers['x-auth-token'], 'svc-token');
    assert.match(req.path, /^\/resource_providers\//);
  });

  test('ensureResourceProvider creates when missing, reads when present, and survives a creation race', async () => {
    const uuid = randomUUID();
    assert.equal(await client.getResourceProvider(uuid), undefined);
    const rp = await client.ensureResourceProvider(uuid, `host-${uuid}`);
    assert.equal(rp.uuid, uuid);
    assert.equal(rp.generation, 0);
    const posts = fake.requests.filter((r) => r.method === 'POST').length;
    assert.equal((await client.ensureResourceProvider(uuid, `host-${uuid}`)).uuid, uuid);
    assert.equal(fake.requests.filter((r) => r.method === 'POST').length, posts);

    const child = await client.ensureResourceProvider(randomUUID(), `nic-${uuid}`, uuid);
    assert.equal(child.parent_provider_uuid, uuid);
    assert.equal(child.root_provider_uuid, uuid);

    const raced = randomUUID();
    fake.raceNextCreate = true;
    assert.equal((await client.ensureResourceProvider(raced, `raced-${raced}`)).uuid, raced);

    // The name belongs to a different provider: the 409 stands.
    await assert.rejects(client.ensureResourceProvider(randomUUID(), `host-${uuid}`),
      (e: unknown) => e instanceof ServiceApiError && e.status === 409 && e.code === 'placement.duplicate_name');
  });

  test('setInventories writes with the generation, skips an identical inventory, and re-reads after a conflict', async () => {
    const uuid = randomUUID();
    await client.ensureResourceProvider(uuid, `inv-${uuid}`);
    const inventories = { VCPU: { total: 8, allocation_ratio: 16 }, MEMORY_MB: { total: 16384, reserved: 512 } };
    assert.equal(await client.setInventories(uuid, inventories), 1);
    const put = fake.requests.filter((r) => r.method === 'PUT').at(-1)!;
    assert.deepEqual(put.json, { resource_provider_generation: 0, inventories });
    const puts = fake.requests.filter((r) => r.method === 'PUT').length;
    // The same inventory (defaults spelled out or not) is no write.
    assert.equal(await client.setInventories(uuid, { VCPU: { total: 8, allocation_ratio: 16, reserved: 0 }, MEMORY_MB: { total: 16384, reserved: 512 } }), 1);
    assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, puts);

    // Another writer bumps the generation between our read and our write, twice.
    let races = 2;
    fake.beforeWrite = () => { if (races-- > 0) fake.providers.get(uuid)!.generation += 1; };
    assert.equal(await client.setInventories(uuid, { VCPU: { total: 4 } }), 4);
    assert.deepEqual(fake.providers.get(uuid)!.inventories, { VCPU: { total: 4 } });

    // Always losing: gives up after the configured tries with the conflict.
    fake.beforeWrite = () => { fake.providers.get(uuid)!.generation += 1; };
    await assert.rejects(client.setInventories(uuid, { VCPU: { total: 2 } }), (e: unknown) => isConcurrentUpdate(e));
  });

  test('an inventory in use is not retried', async () => {
    const uuid = randomUUID();
    await client.ensureResourceProvider(uuid, `inuse-${uuid}`);
    await client.setInventories(uuid, { VCPU: { total: 4 }, MEMORY_MB: { total: 1024 } });
    await client.claimResources(randomUUID(), { [uuid]: { resources: { VCPU: 1 } } }, 'p', 'u');
    const before = fake.requests.length;
    await assert.rejects(client.setInventories(uuid, { MEMORY_MB: { total: 1024 } }),
      (e: unknown) => e instanceof ServiceApiError && e.code === 'placement.inventory.inuse' && !isConcurrentUpdate(e));
    assert.equal(fake.requests.length - before, 2); // one read, one write
  });

  test('traits (custom ones created first) and aggregates, with generations', async () => {
    const uuid = randomUUID();
    await client.ensureResourceProvider(uuid, `tr-${uuid}`);
    const gen = await client.setProviderTraits(uuid, ['HW_CPU_X86_AVX2', 'CUSTOM_GOLD']);
    assert.equal(gen, 1);
    assert.ok(fake.customTraits.has('CUSTOM_GOLD'));
    assert.equal(fake.requests.some((r) => r.method === 'PUT' && r.path === '/traits/HW_CPU_X86_AVX2'), false);
    assert.deepEqual((await client.getProviderTraits(uuid)).traits, ['HW_CPU_X86_AVX2', 'CUSTOM_GOLD']);
    assert.equal(await client.setProviderTraits(uuid, ['CUSTOM_GOLD', 'HW_CPU_X86_AVX2']), 1); // same set: no write

    const agg = randomUUID();
    let race = true;
    fake.beforeWrite = () => { if (race) { race = false; fake.providers.get(uuid)!.generation += 1; } };
    assert.equal(await client.setProviderAggregates(uuid, [agg]), 3);
    assert.deepEqual((await client.getProviderAggregates(uuid)).aggregates, [agg]);
  });

  test('allocation candidates: resources, required, member_of, granular groups, limit', async () => {
    const query = candidateQuery({
      resources: { VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 },
      required: ['HW_CPU_X86_AVX', '!CUSTOM_SLOW'],
      member_of: [['agg-a', 'agg-b'], 'agg-c'],
      groups: { 1: { resources: { SRIOV_NET_VF: 1 }, required: ['CUSTOM_PHYSNET_NET1'] }, _NIC: { resources: { NET_BW_EGR_KILOBIT_PER_SEC: 1000 } } },
      group_policy: 'isolate', limit: 10, same_subtree: ['_NIC,1'],
    });
    assert.equal(queryString(query),
      '?resources=VCPU%3A2%2CMEMORY_MB%3A2048%2CDISK_GB%3A20&required=HW_CPU_X86_AVX%2C%21CUSTOM_SLOW'
      + '&member_of=in%3Aagg-a%2Cagg-b&member_of=agg-c&resources1=SRIOV_NET_VF%3A1&required1=CUSTOM_PHYSNET_NET1'
      + '&resources_NIC=NET_BW_EGR_KILOBIT_PER_SEC%3A1000&group_policy=isolate&limit=10&same_subtree=_NIC%2C1');
    assert.throws(() => candidateQuery({ groups: { 'bad suffix': {} } }), /suffix/);

    fake.candidates = { allocation_requests: [{ allocations: { rp1: { resources: { VCPU: 2 } } }, mappings: { '': ['rp1'] } }], provider_summaries: { rp1: { resources: { VCPU: { capacity: 8, used: 0 } }, traits: [] } } };
    const found = await client.getAllocationCandidates({ resources: { VCPU: 2 }, limit: 5 });
    assert.equal(found.allocation_requests[0]!.allocations.rp1!.resources.VCPU, 2);
    const req = fake.requests.at(-1)!;
    assert.equal(req.query.get('resources'), 'VCPU:2');
    assert.equal(req.query.get('limit'), '5');
    assert.equal(req.headers['openstack-api-version'], 'placement 1.36');
  });

  test('allocations with consumer generations; usages; delete', async () => {
    const rp = randomUUID();
    await client.ensureResourceProvider(rp, `alloc-${rp}`);
    await client.setInventories(rp, { VCPU: { total: 8 }, MEMORY_MB: { total: 8192 } });
    const consumer = randomUUID();
    assert.deepEqual(await client.getAllocations(consumer), { allocations: {} });
    await client.claimResources(consumer, { [rp]: { resources: { VCPU: 2, MEMORY_MB: 1024 } } }, 'proj', 'user');
    const put = fake.requests.at(-1)!;
    assert.equal(put.json.consumer_generation, null);
    assert.equal(put.headers['openstack-api-version'], 'placement 1.36');

    // Claiming again for the same consumer: someone already did (concurrent update).
    await assert.rejects(client.claimResources(consumer, { [rp]: { resources: { VCPU: 1 } } }, 'proj', 'user'), (e: unknown) => isConcurrentUpdate(e));

    const current = await client.getAllocations(consumer);
    assert.equal(current.consumer_generation, 1);
    await client.putAllocations(consumer, {
      allocations: { [rp]: { resources: { VCPU: 4, MEMORY_MB: 1024 } } }, project_id: 'proj', user_id: 'user', consumer_generation: current.consumer_generation ?? null,
    });
    assert.deepEqual(await client.getUsages('proj'), { VCPU: 4, MEMORY_MB: 1024 });
    assert.deepEqual(await client.getUsages('proj', 'someone-else'), {});
    assert.deepEqual((await client.getProviderUsages(rp)).usages, { VCPU: 4, MEMORY_MB: 1024 });

    // consumer_type needs 1.38: the call says so.
    await client.putAllocations(consumer, { allocations: {}, project_id: 'proj', user_id: 'user', consumer_generation: 2, consumer_type: 'INSTANCE' });
    assert.equal(fake.requests.at(-1)!.headers['openstack-api-version'], 'placement 1.38');

    assert.equal(await client.deleteAllocations(consumer), true);
    assert.equal(await client.deleteAllocations(consumer), false);
    assert.equal(await client.deleteResourceProvider(rp), true);
    assert.equal(await client.deleteResourceProvider(rp), false);
  });

  test('withRequestId passes the caller\'s request id on', async () => {
    const rid = `req-${randomUUID()}`;
    await client.withRequestId(rid).listResourceProviders({ name: 'nothing' });
    assert.equal(fake.requests.at(-1)!.headers['x-openstack-request-id'], rid);
    assert.equal(fake.requests.at(-1)!.query.get('name'), 'nothing');
  });
});

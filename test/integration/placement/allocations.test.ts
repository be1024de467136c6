// Allocations through the API: every body shape (list before 1.12, dict from 1.12, consumer
// generations from 1.28, consumer types from 1.38), capacity and constraint checks with
// placement's messages, provider and consumer generations, POST /allocations for several
// consumers at once (all or nothing), the provider's view, and usages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPlacement, type PlacementHarness } from '../../support/placement-harness.js';

describe('placement allocations and usages', () => {
  let h: PlacementHarness;
  let rp: Record<string, any>;
  let disk: Record<string, any>;
  const project = randomUUID();
  const user = randomUUID();
  before(async () => {
    h = await startPlacement();
    rp = await h.createProvider('alloc-cn');
    await h.setInventory(rp.uuid, {
      VCPU: { total: 8, allocation_ratio: 2, max_unit: 8 }, MEMORY_MB: { total: 4096, reserved: 512, step_size: 256 }, DISK_GB: { total: 100 },
    });
    disk = await h.createProvider('alloc-disk');
    await h.setInventory(disk.uuid, { DISK_GB: { total: 1000, min_unit: 10 } });
  });
  after(async () => { await h.close(); });

  const put = (consumer: string, body: unknown, version = 'latest') => h.request('PUT', `/allocations/${consumer}`, { version, body });
  const gen = async (uuid: string): Promise<number> => (await h.request('GET', `/resource_providers/${uuid}`)).json().generation;
  const body = (allocs: Record<string, Record<string, number>>, extra: Record<string, unknown> = {}) => ({
    allocations: Object.fromEntries(Object.entries(allocs).map(([u, resources]) => [u, { resources }])),
    project_id: project, user_id: user, consumer_generation: null, consumer_type: 'INSTANCE', ...extra,
  });

  it('writes and reads the list format (1.0) and the dict format (1.12)', async () => {
    const c1 = randomUUID();
    const v10 = await put(c1, { allocations: [{ resource_provider: { uuid: rp.uuid }, resources: { VCPU: 1 } }] }, '1.0');
    assert.equal(v10.statusCode, 204, v10.body);
    const read10 = (await h.request('GET', `/allocations/${c1}`, { version: '1.0' })).json();
    assert.deepEqual(Object.keys(read10), ['allocations']);
    const read = (await h.request('GET', `/allocations/${c1}`, { version: '1.12' })).json();
    assert.equal(read.project_id, '00000000-0000-0000-0000-000000000000');
    assert.equal(read.user_id, '00000000-0000-0000-0000-000000000000');
    assert.deepEqual(read.allocations[rp.uuid].resources, { VCPU: 1 });
    const v18missing = await put(c1, { allocations: [{ resource_provider: { uuid: rp.uuid }, resources: { VCPU: 1 } }] }, '1.8');
    assert.equal(v18missing.statusCode, 400);
    assert.match(v18missing.json().errors[0].detail, /'project_id' is a required property/);
    const dictAt111 = await put(c1, body({ [rp.uuid]: { VCPU: 1 } }), '1.11');
    assert.equal(dictAt111.statusCode, 400);
    const v112 = await put(c1, { allocations: { [rp.uuid]: { resources: { VCPU: 2 } } }, project_id: project, user_id: user }, '1.12');
    assert.equal(v112.statusCode, 204, v112.body);
    const after = (await h.request('GET', `/allocations/${c1}`, { version: '1.28' })).json();
    assert.equal(after.project_id, project);
    assert.equal(after.consumer_generation, 2);
    assert.equal((await h.request('DELETE', `/allocations/${c1}`)).statusCode, 204);
    const gone = await h.request('DELETE', `/allocations/${c1}`);
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().errors[0].detail, `No allocations for consumer '${c1}'`);
    assert.deepEqual((await h.request('GET', `/allocations/${c1}`)).json(), { allocations: {} });
  });

  it('checks consumer generations from 1.28', async () => {
    const c = randomUUID();
    const noGen = await put(c, { allocations: { [rp.uuid]: { resources: { DISK_GB: 10 } } }, project_id: project, user_id: user }, '1.28');
    assert.equal(noGen.statusCode, 400);
    assert.match(noGen.json().errors[0].detail, /JSON does not validate/);
    const notNull = await put(c, body({ [rp.uuid]: { DISK_GB: 10 } }, { consumer_generation: 5 }));
    assert.equal(notNull.statusCode, 409);
    assert.equal(notNull.json().errors[0].code, 'placement.concurrent_update');
    assert.match(notNull.json().errors[0].detail, /consumer generation conflict - expected null but got 5/);
    assert.equal((await put(c, body({ [rp.uuid]: { DISK_GB: 10 } }))).statusCode, 204);
    const again = await put(c, body({ [rp.uuid]: { DISK_GB: 10 } }));
    assert.equal(again.statusCode, 409);
    assert.match(again.json().errors[0].detail, /consumer generation conflict - expected 1 but got None/);
    const current = (await h.request('GET', `/allocations/${c}`)).json();
    assert.equal(current.consumer_generation, 1);
    assert.equal(current.consumer_type, 'INSTANCE');
    assert.equal((await put(c, body({ [rp.uuid]: { DISK_GB: 20 } }, { consumer_generation: 1, consumer_type: 'MIGRATION' }))).statusCode, 204);
    const typed = (await h.request('GET', `/allocations/${c}`)).json();
    assert.equal(typed.consumer_type, 'MIGRATION');
    assert.equal(typed.consumer_generation, 2);
    const emptied = await put(c, body({}, { consumer_generation: 2 }));
    assert.equal(emptied.statusCode, 204, emptied.body);
    assert.deepEqual((await h.request('GET', `/allocations/${c}`)).json(), { allocations: {} });
    // The consumer is forgotten: the next write starts from null again.
    assert.equal((await put(c, body({ [rp.uuid]: { DISK_GB: 10 } }))).statusCode, 204);
    assert.equal((await h.request('DELETE', `/allocations/${c}`)).statusCode, 204);
    const noType = await put(c, { ...body({ [rp.uuid]: { DISK_GB: 10 } }), consumer_type: undefined });
    assert.equal(noType.statusCode, 400);
    assert.match(noType.json().errors[0].detail, /'consumer_type' is a required property/);
    const lower = await put(c, body({ [rp.uuid]: { DISK_GB: 10 } }, { consumer_type: 'instance' }));
    assert.match(lower.json().errors[0].detail, /'instance' does not match '\^\[A-Z0-9_\]\+\$'/);
    const typeEarly = await put(c, body({ [rp.uuid]: { DISK_GB: 10 } }), '1.37');
    assert.match(typeEarly.json().errors[0].detail, /'consumer_type' was unexpected/);
  });

  it('refuses what does not fit, with placement messages, and writes nothing', async () => {
    const c = randomUUID();
    const genBefore = await gen(rp.uuid);
    const cases: [Record<string, Record<string, number>>, number, RegExp][] = [
      [{ [rp.uuid]: { VCPU: 17 } }, 409, /Unable to allocate inventory: Unable to create allocation for 'VCPU' on resource provider '.*'\. The requested amount would violate inventory constraints\./],
      [{ [rp.uuid]: { MEMORY_MB: 100 } }, 409, /would violate inventory constraints/],
      [{ [rp.uuid]: { MEMORY_MB: 3840 } }, 409, /The requested amount would exceed the capacity\./],
      [{ [rp.uuid]: { DISK_GB: 5 }, [disk.uuid]: { DISK_GB: 5 } }, 409, /'DISK_GB' on resource provider '.*'\. The requested amount would violate inventory constraints/],
      [{ [rp.uuid]: { PCI_DEVICE: 1 } }, 409, /Unable to allocate inventory: Inventory for 'PCI_DEVICE' on resource provider '.*' invalid\./],
      [{ [rp.uuid]: { CUSTOM_NOPE: 1 } }, 400, new RegExp(`Unable to allocate inventory for consumer ${c}: No such resource class CUSTOM_NOPE\\.`)],
      [{ [randomUUID()]: { VCPU: 1 } }, 400, /Allocation for resource provider '.*' that does not exist\./],
    ];
    for (const [allocs, status, detail] of cases) {
      const res = await put(c, body(allocs));
      assert.equal(res.statusCode, status, JSON.stringify(allocs) + res.body);
      assert.match(res.json().errors[0].detail, detail);
    }
    const within = await put(c, body({ [rp.uuid]: { VCPU: 8, MEMORY_MB: 3584 } }));
    assert.equal(within.statusCode, 204, within.body);
    assert.equal(await gen(rp.uuid), genBefore + 1);
    const usages = (await h.request('GET', `/resource_providers/${rp.uuid}/usages`)).json();
    assert.deepEqual(usages.usages, { VCPU: 8, MEMORY_MB: 3584, DISK_GB: 0 });
    assert.equal(usages.resource_provider_generation, genBefore + 1);
    const bad = await h.request('PUT', '/allocations/not-a-uuid', { body: body({ [rp.uuid]: { VCPU: 1 } }) });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].detail, 'Malformed consumer_uuid: not-a-uuid');
    assert.equal((await h.request('DELETE', `/allocations/${c}`)).statusCode, 204);
  });

  it('POSTs several consumers at once, all or nothing (1.13)', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    assert.equal((await h.request('POST', '/allocations', { version: '1.12', body: {} })).statusCode, 404);
    const tooMuch = await h.request('POST', '/allocations', {
      body: { [a]: body({ [rp.uuid]: { VCPU: 8 } }), [b]: body({ [rp.uuid]: { VCPU: 8 } }), [randomUUID()]: body({ [rp.uuid]: { VCPU: 1 } }) },
    });
    assert.equal(tooMuch.statusCode, 409, tooMuch.body);
    assert.match(tooMuch.json().errors[0].detail, /would exceed the capacity/);
    assert.deepEqual((await h.request('GET', `/allocations/${a}`)).json(), { allocations: {} });
    const ok = await h.request('POST', '/allocations', {
      body: { [a]: body({ [rp.uuid]: { VCPU: 4 }, [disk.uuid]: { DISK_GB: 100 } }), [b]: body({ [rp.uuid]: { VCPU: 4 } }, { consumer_type: 'MIGRATION' }) },
    });
    assert.equal(ok.statusCode, 204, ok.body);
    const byProvider = (await h.request('GET', `/resource_providers/${rp.uuid}/allocations`)).json();
    assert.deepEqual(byProvider.allocations[a], { resources: { VCPU: 4 }, consumer_generation: 1 });
    assert.deepEqual(Object.keys(byProvider.allocations).sort(), [a, b].sort());
    const old = (await h.request('GET', `/resource_providers/${rp.uuid}/allocations`, { version: '1.27' })).json();
    assert.deepEqual(old.allocations[a], { resources: { VCPU: 4 } });

    const usages = (await h.request('GET', `/usages?project_id=${project}`, { version: '1.37' })).json();
    assert.deepEqual(usages, { usages: { VCPU: 8, DISK_GB: 100 } });
    const typed = (await h.request('GET', `/usages?project_id=${project}`)).json();
    assert.deepEqual(typed, { usages: { INSTANCE: { consumer_count: 1, VCPU: 4, DISK_GB: 100 }, MIGRATION: { consumer_count: 1, VCPU: 4 } } });
    assert.deepEqual((await h.request('GET', `/usages?project_id=${project}&consumer_type=all`)).json(), { usages: { all: { consumer_count: 2, VCPU: 8, DISK_GB: 100 } } });
    assert.deepEqual((await h.request('GET', `/usages?project_id=${project}&consumer_type=MIGRATION`)).json().usages, { MIGRATION: { consumer_count: 1, VCPU: 4 } });
    assert.deepEqual((await h.request('GET', `/usages?project_id=${project}&consumer_type=ALL`)).json().usages, {});
    assert.deepEqual((await h.request('GET', `/usages?project_id=${project}&user_id=${randomUUID()}`, { version: '1.9' })).json(), { usages: {} });
    assert.equal((await h.request('GET', `/usages?project_id=${project}`, { version: '1.8' })).statusCode, 404);
    const noProject = await h.request('GET', '/usages');
    assert.equal(noProject.statusCode, 400);
    assert.match(noProject.json().errors[0].detail, /'project_id' is a required property/);

    // Clearing one consumer and moving another in the same request.
    const gens = (await h.request('GET', `/allocations/${a}`)).json().consumer_generation;
    const moved = await h.request('POST', '/allocations', {
      body: { [a]: body({}, { consumer_generation: gens }), [b]: body({ [disk.uuid]: { DISK_GB: 50 } }, { consumer_generation: 1 }) },
    });
    assert.equal(moved.statusCode, 204, moved.body);
    assert.deepEqual((await h.request('GET', `/resource_providers/${rp.uuid}/allocations`)).json().allocations, {});
    assert.deepEqual((await h.request('GET', `/allocations/${b}`)).json().allocations[disk.uuid].resources, { DISK_GB: 50 });
    assert.equal((await h.request('DELETE', `/allocations/${b}`)).statusCode, 204);
  });

  it('lets a project reader see its own usages but nothing else', async () => {
    const reader = await h.tenant('reader');
    const own = await h.request('GET', `/usages?project_id=${reader.projectId}`, { token: reader.token });
    assert.equal(own.statusCode, 200, own.body);
    const other = await h.request('GET', `/usages?project_id=${project}`, { token: reader.token });
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().errors[0].detail, 'Policy does not allow placement:usages to be performed.');
    const alloc = await h.request('GET', `/allocations/${randomUUID()}`, { token: reader.token });
    assert.equal(alloc.statusCode, 403);
  });
});

// Inventories through the API: the whole set (PUT/GET/DELETE), one class (POST/GET/PUT/DELETE),
// defaults, the capacity rule (reserved == total only from 1.26), generation conflicts
// (placement.concurrent_update) and classes in use (placement.inventory.inuse).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPlacement, type PlacementHarness } from '../../support/placement-harness.js';

describe('placement inventories', () => {
  let h: PlacementHarness;
  before(async () => { h = await startPlacement(); });
  after(async () => { await h.close(); });

  const allocate = (rp: string, consumer: string, resources: Record<string, number>) => h.request('PUT', `/allocations/${consumer}`, {
    version: '1.12', body: { allocations: { [rp]: { resources } }, project_id: 'p', user_id: 'u' },
  });

  it('sets, reads and replaces the whole set, with defaults and the generation moving on', async () => {
    const rp = await h.createProvider('inv-all');
    const put = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, {
      body: { resource_provider_generation: 0, inventories: { IPV4_ADDRESS: { total: 253 }, DISK_GB: { total: 1024, allocation_ratio: 1.5 } } },
    });
    assert.equal(put.statusCode, 200, put.body);
    const body = put.json();
    assert.equal(body.resource_provider_generation, 1);
    assert.deepEqual(body.inventories.IPV4_ADDRESS, { total: 253, reserved: 0, min_unit: 1, max_unit: 2147483647, step_size: 1, allocation_ratio: 1 });
    assert.equal(body.inventories.DISK_GB.allocation_ratio, 1.5);
    const get = (await h.request('GET', `/resource_providers/${rp.uuid}/inventories`)).json();
    assert.deepEqual(get, body);
    const stale = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, {
      body: { resource_provider_generation: 0, inventories: {} },
    });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().errors[0].code, 'placement.concurrent_update');
    assert.equal(stale.json().errors[0].detail, 'resource provider generation conflict');
    const replace = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, {
      body: { resource_provider_generation: 1, inventories: { VCPU: { total: 8 } } },
    });
    assert.deepEqual(Object.keys(replace.json().inventories), ['VCPU']);
    assert.equal(replace.json().resource_provider_generation, 2);
  });

  it('applies the capacity rule: reserved above total never, equal to total from 1.26', async () => {
    const rp = await h.createProvider('inv-cap');
    const over = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, {
      body: { resource_provider_generation: 0, inventories: { VCPU: { total: 4, reserved: 5 } } },
    });
    assert.equal(over.statusCode, 400);
    assert.match(over.json().errors[0].detail, new RegExp(`Unable to update inventory for resource provider ${rp.uuid}: Invalid inventory for 'VCPU' on resource provider '${rp.uuid}'. The reserved value is greater than total.`));
    const equalOld = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, {
      version: '1.25', body: { resource_provider_generation: 0, inventories: { VCPU: { total: 4, reserved: 4 } } },
    });
    assert.equal(equalOld.statusCode, 400);
    assert.match(equalOld.json().errors[0].detail, /The reserved value is greater than or equal to total\./);
    const equalNew = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, {
      version: '1.26', body: { resource_provider_generation: 0, inventories: { VCPU: { total: 4, reserved: 4 } } },
    });
    assert.equal(equalNew.statusCode, 200, equalNew.body);
  });

  it('validates records against the schema and the class names against the database', async () => {
    const rp = await h.createProvider('inv-valid');
    const cases: [unknown, RegExp][] = [
      [{ resource_provider_generation: 0, inventories: { VCPU: { total: 0 } } }, /0 is less than the minimum of 1/],
      [{ resource_provider_generation: 0, inventories: { VCPU: { total: 2147483648 } } }, /is greater than the maximum of 2147483647/],
      [{ resource_provider_generation: 0, inventories: { VCPU: { reserved: 1 } } }, /'total' is a required property/],
      [{ resource_provider_generation: 0, inventories: { VCPU: { total: 1, colour: 'red' } } }, /Additional properties are not allowed/],
      [{ resource_provider_generation: 0, inventories: { VCPU: { total: '1' } } }, /'1' is not of type 'integer'/],
      [{ inventories: {} }, /'resource_provider_generation' is a required property/],
      [{ resource_provider_generation: 0, inventories: { VCPU: { total: 1, allocation_ratio: 'x' } } }, /is not of type 'number'/],
    ];
    for (const [body, detail] of cases) {
      const res = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, { body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.match(res.json().errors[0].detail, /^JSON does not validate: /);
      assert.match(res.json().errors[0].detail, detail);
    }
    const unknown = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, {
      body: { resource_provider_generation: 0, inventories: { CUSTOM_NOPE: { total: 1 } } },
    });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().errors[0].detail, /Unknown resource class in inventory for resource provider .*: No such resource class CUSTOM_NOPE\./);
    const missing = await h.request('PUT', `/resource_providers/${randomUUID()}/inventories`, { body: { resource_provider_generation: 0, inventories: {} } });
    assert.equal(missing.statusCode, 404);
  });

  it('handles one class: POST creates (201), PUT updates, GET shows, DELETE removes', async () => {
    const rp = await h.createProvider('inv-one');
    const post = await h.request('POST', `/resource_providers/${rp.uuid}/inventories`, { body: { resource_class: 'DISK_GB', total: 100, reserved: 10 } });
    assert.equal(post.statusCode, 201, post.body);
    assert.match(String(post.headers.location), new RegExp(`/resource_providers/${rp.uuid}/inventories/DISK_GB$`));
    assert.equal(post.json().resource_provider_generation, 1);
    const again = await h.request('POST', `/resource_providers/${rp.uuid}/inventories`, { body: { resource_class: 'DISK_GB', total: 100 } });
    assert.equal(again.statusCode, 409);
    const get = await h.request('GET', `/resource_providers/${rp.uuid}/inventories/DISK_GB`);
    assert.deepEqual(get.json(), { total: 100, reserved: 10, min_unit: 1, max_unit: 2147483647, step_size: 1, allocation_ratio: 1, resource_provider_generation: 1 });
    const upd = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories/DISK_GB`, { body: { resource_provider_generation: 1, total: 200 } });
    assert.equal(upd.statusCode, 200);
    assert.equal(upd.json().total, 200);
    assert.equal(upd.json().reserved, 0);
    assert.equal(upd.json().resource_provider_generation, 2);
    const stale = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories/DISK_GB`, { body: { resource_provider_generation: 1, total: 300 } });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().errors[0].code, 'placement.concurrent_update');
    const absent = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories/VCPU`, { body: { resource_provider_generation: 2, total: 4 } });
    assert.equal(absent.statusCode, 400);
    assert.match(absent.json().errors[0].detail, /No inventory record with resource class for resource provider .*: No inventory of class VCPU found\./);
    const noClass = await h.request('GET', `/resource_providers/${rp.uuid}/inventories/VCPU`);
    assert.equal(noClass.statusCode, 404);
    assert.match(noClass.json().errors[0].detail, new RegExp(`No inventory of class VCPU for ${rp.uuid}`));
    assert.equal((await h.request('DELETE', `/resource_providers/${rp.uuid}/inventories/DISK_GB`)).statusCode, 204);
    const gone = await h.request('DELETE', `/resource_providers/${rp.uuid}/inventories/DISK_GB`);
    assert.equal(gone.statusCode, 404);
    assert.match(gone.json().errors[0].detail, /No inventory of class DISK_GB found for delete/);
    assert.equal((await h.request('GET', `/resource_providers/${rp.uuid}`)).json().generation, 3);
  });

  it('refuses to remove a class that allocations use (placement.inventory.inuse)', async () => {
    const rp = await h.createProvider('inv-busy');
    await h.setInventory(rp.uuid, { VCPU: { total: 4 }, MEMORY_MB: { total: 1024 } });
    assert.equal((await allocate(rp.uuid, randomUUID(), { VCPU: 1 })).statusCode, 204);
    const gen = (await h.request('GET', `/resource_providers/${rp.uuid}`)).json().generation;
    const put = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, { body: { resource_provider_generation: gen, inventories: { MEMORY_MB: { total: 1024 } } } });
    assert.equal(put.statusCode, 409);
    assert.equal(put.json().errors[0].code, 'placement.inventory.inuse');
    assert.match(put.json().errors[0].detail, new RegExp(`update conflict: Inventory for 'VCPU' on resource provider '${rp.uuid}' in use\\.`));
    const delAll = await h.request('DELETE', `/resource_providers/${rp.uuid}/inventories`);
    assert.equal(delAll.statusCode, 409);
    assert.equal(delAll.json().errors[0].code, 'placement.inventory.inuse');
    const delOne = await h.request('DELETE', `/resource_providers/${rp.uuid}/inventories/VCPU`);
    assert.equal(delOne.statusCode, 409);
    assert.equal(delOne.json().errors[0].code, 'placement.inventory.inuse');
    // Shrinking below usage is allowed (placement only warns); removing an unused class is fine.
    const shrink = await h.request('PUT', `/resource_providers/${rp.uuid}/inventories`, { body: { resource_provider_generation: gen, inventories: { VCPU: { total: 1 } } } });
    assert.equal(shrink.statusCode, 200, shrink.body);
    assert.equal((await h.request('DELETE', `/resource_providers/${rp.uuid}/inventories/MEMORY_MB`)).statusCode, 404);
  });

  it('deletes all inventory only from 1.5 (405 before)', async () => {
    const rp = await h.createProvider('inv-del');
    await h.setInventory(rp.uuid, { VCPU: { total: 4 } });
    const old = await h.request('DELETE', `/resource_providers/${rp.uuid}/inventories`, { version: '1.4' });
    assert.equal(old.statusCode, 405);
    const res = await h.request('DELETE', `/resource_providers/${rp.uuid}/inventories`, { version: '1.5' });
    assert.equal(res.statusCode, 204);
    assert.deepEqual((await h.request('GET', `/resource_providers/${rp.uuid}/inventories`)).json().inventories, {});
  });
});

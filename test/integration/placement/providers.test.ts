// Resource providers through the API: create (201 before 1.20, 200 with a body after), names
// and uuids unique, trees (1.14) with re-parenting from 1.37 and no cycles, deletion rules, and
// the list filters (name, uuid, member_of, resources, in_tree, required).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPlacement, type PlacementHarness } from '../../support/placement-harness.js';

describe('placement resource providers', () => {
  let h: PlacementHarness;
  before(async () => { h = await startPlacement(); });
  after(async () => { await h.close(); });

  const names = (res: { json(): any }): string[] => (res.json().resource_providers as { name: string }[]).map((p) => p.name).sort();

  it('creates with 201 and no body before 1.20, 200 with the provider from 1.20', async () => {
    const uuid = randomUUID();
    const old = await h.request('POST', '/resource_providers', { version: '1.19', body: { name: 'rp-old', uuid } });
    assert.equal(old.statusCode, 201);
    assert.equal(old.body, '');
    assert.equal(old.headers['content-type'], undefined);
    assert.match(String(old.headers.location), new RegExp(`/resource_providers/${uuid}$`));
    const del = await h.request('DELETE', `/resource_providers/${uuid}`);
    assert.equal(del.statusCode, 204);
    const res = await h.request('POST', '/resource_providers', { version: '1.20', body: { name: 'rp-new', uuid } });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.uuid, uuid);
    assert.equal(body.generation, 0);
    assert.deepEqual(body.links.map((l: { rel: string }) => l.rel), ['self', 'inventories', 'usages', 'aggregates', 'traits', 'allocations']);
    assert.equal(body.parent_provider_uuid, null);
    assert.equal(body.root_provider_uuid, uuid);
  });

  it('shows the fields and links of the microversion', async () => {
    const rp = await h.createProvider('rp-shape');
    const v10 = (await h.request('GET', `/resource_providers/${rp.uuid}`, { version: '1.0' })).json();
    assert.deepEqual(Object.keys(v10).sort(), ['generation', 'links', 'name', 'uuid']);
    assert.equal(v10.links.length, 3);
    assert.equal((await h.request('GET', `/resource_providers/${rp.uuid}`, { version: '1.10' })).json().links.length, 5);
    assert.equal((await h.request('GET', `/resource_providers/${rp.uuid}`, { version: '1.13' })).json().root_provider_uuid, undefined);
    const v115 = await h.request('GET', `/resource_providers/${rp.uuid}`, { version: '1.15' });
    assert.equal(v115.headers['cache-control'], 'no-cache');
    assert.match(String(v115.headers['last-modified']), /^\w+, \d+ \w+ \d{4} [\d:]+ GMT$/);
    const v114 = await h.request('GET', '/resource_providers', { version: '1.14' });
    assert.equal(v114.headers['cache-control'], undefined);
  });

  it('refuses duplicate names and uuids (placement.duplicate_name), including a dashless uuid', async () => {
    const uuid = randomUUID();
    await h.createProvider('dup-a', { uuid });
    const sameName = await h.request('POST', '/resource_providers', { body: { name: 'dup-a', uuid: randomUUID() } });
    assert.equal(sameName.statusCode, 409);
    assert.equal(sameName.json().errors[0].code, 'placement.duplicate_name');
    assert.match(sameName.json().errors[0].detail, /Conflicting resource provider name: dup-a already exists/);
    const dashless = await h.request('POST', '/resource_providers', { body: { name: 'dup-b', uuid: uuid.replaceAll('-', '') } });
    assert.equal(dashless.statusCode, 409);
    assert.match(dashless.json().errors[0].detail, new RegExp(`Conflicting resource provider uuid: ${uuid} already exists`));
    const other = await h.createProvider('dup-c');
    const rename = await h.request('PUT', `/resource_providers/${other.uuid}`, { body: { name: 'dup-a' } });
    assert.equal(rename.statusCode, 409);
    assert.equal(rename.json().errors[0].code, 'placement.duplicate_name');
  });

  it('validates bodies with jsonschema messages', async () => {
    const bad = await h.request('POST', '/resource_providers', { body: { name: 'x', uuid: 'this is not a uuid' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().errors[0].detail, /^JSON does not validate: 'this is not a uuid' is not a 'uuid'/);
    assert.match(bad.json().errors[0].detail, /Failed validating 'format'/);
    const long = await h.request('POST', '/resource_providers', { body: { name: 'x'.repeat(201) } });
    assert.match(long.json().errors[0].detail, /Failed validating 'maxLength'/);
    const malformed = await h.request('POST', '/resource_providers', { payload: '{"foo": }' });
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.json().errors[0].detail, /^Malformed JSON:/);
    const media = await h.request('POST', '/resource_providers', { payload: 'name=x', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(media.statusCode, 415);
    assert.equal(media.json().errors[0].detail, 'The media type application/x-www-form-urlencoded is not supported, use application/json');
    const nested = await h.request('POST', '/resource_providers', { version: '1.13', body: { name: 'child', parent_provider_uuid: randomUUID() } });
    assert.equal(nested.statusCode, 400);
    assert.match(nested.json().errors[0].detail, /Additional properties are not allowed \('parent_provider_uuid' was unexpected\)/);
    const rp = await h.createProvider('poorly');
    const poor = await h.request('PUT', `/resource_providers/${rp.uuid}`, { body: { badfield: 'new name' } });
    assert.equal(poor.statusCode, 400);
    const root = await h.request('PUT', `/resource_providers/${rp.uuid}`, { body: { name: 'x', root_provider_uuid: rp.uuid } });
    assert.equal(root.statusCode, 400);
  });

  it('builds trees, refuses loops, re-parents only from 1.37 and keeps the roots of a moved subtree right', async () => {
    const parent = await h.createProvider('tree-parent');
    const altParent = await h.createProvider('tree-alt');
    const self = randomUUID();
    const selfParent = await h.request('POST', '/resource_providers', { body: { name: 'selfish', uuid: self, parent_provider_uuid: self } });
    assert.equal(selfParent.statusCode, 400);
    assert.match(selfParent.json().errors[0].detail, new RegExp(`Unable to create resource provider "selfish", ${self}: .*parent provider UUID cannot be same as UUID`));
    const missing = await h.request('POST', '/resource_providers', { body: { name: 'orphan', parent_provider_uuid: randomUUID() } });
    assert.match(missing.json().errors[0].detail, /parent provider UUID does not exist/);

    const child = await h.createProvider('tree-child', { parent_provider_uuid: parent.uuid });
    assert.equal(child.root_provider_uuid, parent.uuid);
    const grandchild = await h.createProvider('tree-grandchild', { parent_provider_uuid: child.uuid });
    assert.equal(grandchild.root_provider_uuid, parent.uuid);

    const toChild = await h.request('PUT', `/resource_providers/${parent.uuid}`, { body: { name: 'tree-parent', parent_provider_uuid: grandchild.uuid } });
    assert.equal(toChild.statusCode, 400);
    assert.match(toChild.json().errors[0].detail, /creating loop in the provider tree is not allowed\./);
    const toSelf = await h.request('PUT', `/resource_providers/${parent.uuid}`, { body: { name: 'tree-parent', parent_provider_uuid: parent.uuid } });
    assert.match(toSelf.json().errors[0].detail, /creating loop in the provider tree is not allowed\./);

    const reparentOld = await h.request('PUT', `/resource_providers/${child.uuid}`, { version: '1.36', body: { name: 'tree-child', parent_provider_uuid: altParent.uuid } });
    assert.equal(reparentOld.statusCode, 400);
    assert.match(reparentOld.json().errors[0].detail, /re-parenting a provider is not currently allowed/);
    const unparentOld = await h.request('PUT', `/resource_providers/${child.uuid}`, { version: '1.36', body: { name: 'tree-child', parent_provider_uuid: null } });
    assert.match(unparentOld.json().errors[0].detail, /un-parenting a provider is not currently allowed/);

    const moved = await h.request('PUT', `/resource_providers/${child.uuid}`, { version: '1.37', body: { name: 'tree-child', parent_provider_uuid: altParent.uuid } });
    assert.equal(moved.statusCode, 200);
    assert.equal(moved.json().root_provider_uuid, altParent.uuid);
    const gc = (await h.request('GET', `/resource_providers/${grandchild.uuid}`)).json();
    assert.equal(gc.root_provider_uuid, altParent.uuid);
    const unparented = await h.request('PUT', `/resource_providers/${child.uuid}`, { version: '1.37', body: { name: 'tree-child', parent_provider_uuid: null } });
    assert.equal(unparented.json().root_provider_uuid, child.uuid);
    assert.equal((await h.request('GET', `/resource_providers/${grandchild.uuid}`)).json().root_provider_uuid, child.uuid);
    const back = await h.request('PUT', `/resource_providers/${child.uuid}`, { body: { name: 'tree-child', parent_provider_uuid: parent.uuid } });
    assert.equal(back.statusCode, 200);
    assert.equal(back.json().root_provider_uuid, parent.uuid);

    const inTree = await h.request('GET', `/resource_providers?in_tree=${grandchild.uuid}`);
    assert.deepEqual(names(inTree), ['tree-child', 'tree-grandchild', 'tree-parent']);
    const none = await h.request('GET', `/resource_providers?in_tree=${randomUUID()}`);
    assert.deepEqual(none.json().resource_providers, []);

    const delParent = await h.request('DELETE', `/resource_providers/${parent.uuid}`);
    assert.equal(delParent.statusCode, 409);
    assert.equal(delParent.json().errors[0].code, 'placement.resource_provider.cannot_delete_parent');
    assert.match(delParent.json().errors[0].detail, new RegExp(`Unable to delete parent resource provider ${parent.uuid}: It has child resource providers.`));
  });

  it('answers 404s in placement words', async () => {
    const id = randomUUID();
    const get = await h.request('GET', `/resource_providers/${id}`);
    assert.equal(get.statusCode, 404);
    assert.match(get.json().errors[0].detail, new RegExp(`No resource provider with uuid ${id} found`));
    const del = await h.request('DELETE', `/resource_providers/${id}`);
    assert.match(del.json().errors[0].detail, new RegExp(`No resource provider with uuid ${id} found for delete`));
    assert.equal((await h.request('GET', '/resource_providers/random_sauce')).statusCode, 404);
  });

  it('filters lists by name, uuid, member_of, resources and required traits', async () => {
    const agg1 = randomUUID();
    const agg2 = randomUUID();
    const a = await h.createProvider('flt-a');
    const b = await h.createProvider('flt-b');
    const c = await h.createProvider('flt-c');
    await h.setAggregates(a.uuid, [agg1]);
    await h.setAggregates(b.uuid, [agg1, agg2]);
    await h.setInventory(a.uuid, { VCPU: { total: 4 }, DISK_GB: { total: 100, max_unit: 50 } });
    await h.setInventory(b.uuid, { VCPU: { total: 64, reserved: 60 } });
    await h.setTraits(a.uuid, ['HW_CPU_X86_AVX', 'STORAGE_DISK_SSD']);
    await h.setTraits(c.uuid, ['STORAGE_DISK_SSD']);

    const q = async (query: string, version = 'latest'): Promise<string[]> => {
      const res = await h.request('GET', `/resource_providers?${query}`, { version });
      assert.equal(res.statusCode, 200, res.body);
      return names(res).filter((n) => n.startsWith('flt-'));
    };
    assert.deepEqual(await q('name=flt-b'), ['flt-b']);
    assert.deepEqual(await q(`uuid=${c.uuid}`), ['flt-c']);
    assert.deepEqual(await q(`member_of=${agg1}`), ['flt-a', 'flt-b']);
    assert.deepEqual(await q(`member_of=in:${agg2},${randomUUID()}`), ['flt-b']);
    assert.deepEqual(await q(`member_of=${agg1}&member_of=${agg2}`), ['flt-b']);
    assert.deepEqual(await q(`member_of=!${agg2}`), ['flt-a', 'flt-c']);
    assert.deepEqual(await q('resources=VCPU:4'), ['flt-a', 'flt-b']);
    assert.deepEqual(await q('resources=VCPU:5'), []);
    assert.deepEqual(await q('resources=VCPU:1,DISK_GB:60'), []);
    assert.deepEqual(await q('resources=VCPU:1,DISK_GB:50'), ['flt-a']);
    assert.deepEqual(await q('required=STORAGE_DISK_SSD'), ['flt-a', 'flt-c']);
    assert.deepEqual(await q('required=STORAGE_DISK_SSD,!HW_CPU_X86_AVX'), ['flt-c']);
    assert.deepEqual(await q('required=in:HW_CPU_X86_AVX,HW_CPU_X86_SSE&required=STORAGE_DISK_SSD'), ['flt-a']);
    assert.deepEqual(await q(`required=STORAGE_DISK_SSD&member_of=${agg1}`), ['flt-a']);

    const err = async (query: string, version: string, status: number, detail: RegExp): Promise<void> => {
      const res = await h.request('GET', `/resource_providers?${query}`, { version });
      assert.equal(res.statusCode, status, res.body);
      assert.match(res.json().errors[0].detail, detail);
    };
    await err('spam=eggs', 'latest', 400, /Invalid query string parameters: Additional properties are not allowed \('spam' was unexpected\)/);
    await err('uuid=spameggs', 'latest', 400, /Invalid query string parameters/);
    await err('required=STORAGE_DISK_SSD', '1.17', 400, /Additional properties are not allowed/);
    await err('required=!STORAGE_DISK_SSD', '1.21', 400, /Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: !STORAGE_DISK_SSD/);
    await err('required=', 'latest', 400, /Expected 'required' parameter value of the form: HW_CPU_X86_VMX,!CUSTOM_MAGIC\./);
    await err('required=STORAGE_DISK_SSD,BOGUS_TRAIT', 'latest', 400, /No such trait\(s\): BOGUS_TRAIT\./);
    await err('required=in:A,B', '1.38', 400, /only supported since microversion 1.39/);
    await err('resources=MCPU:1', 'latest', 400, /Invalid resource class in resources parameter: No such resource class MCPU\./);
    await err('resources=VCPU', 'latest', 400, /Badly formed resources parameter/);
    await err('resources=VCPU:0', 'latest', 400, /requires amount >= 1/);
    await err(`member_of=${agg1}&member_of=${agg2}`, '1.23', 400, /Multiple member_of parameters are not supported/);
    await err(`member_of=!${agg1}`, '1.31', 400, /Forbidden member_of parameters are not supported in the specified microversion/);
    await err(`member_of=${agg1},${agg2}`, 'latest', 400, /must be prefixed with the 'in:' or '!in:' keyword/);
    await err('member_of=not-a-uuid', 'latest', 400, /Expected 'member_of' parameter to contain valid UUID\(s\)\. Got: not-a-uuid/);
    await err(`in_tree=${a.uuid}`, '1.13', 400, /'in_tree' was unexpected/);
  });

  it('keeps a provider with allocations (placement.resource_provider.inuse)', async () => {
    const rp = await h.createProvider('busy');
    await h.setInventory(rp.uuid, { VCPU: { total: 2 } });
    const consumer = randomUUID();
    const put = await h.request('PUT', `/allocations/${consumer}`, {
      body: { allocations: { [rp.uuid]: { resources: { VCPU: 1 } } }, project_id: 'p', user_id: 'u', consumer_generation: null, consumer_type: 'INSTANCE' },
    });
    assert.equal(put.statusCode, 204, put.body);
    const del = await h.request('DELETE', `/resource_providers/${rp.uuid}`);
    assert.equal(del.statusCode, 409);
    assert.equal(del.json().errors[0].code, 'placement.resource_provider.inuse');
    assert.match(del.json().errors[0].detail, /Resource provider has allocations\./);
    assert.equal((await h.request('DELETE', `/allocations/${consumer}`)).statusCode, 204);
    assert.equal((await h.request('DELETE', `/resource_providers/${rp.uuid}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/resource_providers/${rp.uuid}/inventories`)).statusCode, 404);
  });
});

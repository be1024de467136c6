import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startImage, type ImageHarness } from '../../support/image-harness.js';

describe('metadata definitions catalog', () => {
  let h: ImageHarness;
  before(async () => { h = await startImage(); });
  after(async () => h.close());

  const ns = (name: string) => `/v2/metadefs/namespaces/${name}`;
  const create = async (body: Record<string, unknown>) => {
    const res = await h.request('POST', '/v2/metadefs/namespaces', { body });
    assert.equal(res.statusCode, 201, res.body);
    return res.json();
  };

  test('resource types are seeded; namespaces: create (with associations), list, show, protect, update, delete', async () => {
    const types = (await h.request('GET', '/v2/metadefs/resource_types', { token: h.alice.token })).json().resource_types;
    assert.ok(types.some((t: { name: string }) => t.name === 'OS::Glance::Image'));
    const created = await create({
      namespace: 'tempest-ns', display_name: 'Tempest', description: 'd', visibility: 'public', protected: true,
      resource_type_associations: [{ name: 'OS::Glance::Image' }],
    });
    assert.equal(created.namespace, 'tempest-ns');
    assert.equal(created.self, '/v2/metadefs/namespaces/tempest-ns');
    assert.equal(created.schema, '/v2/schemas/metadefs/namespace');
    assert.equal((await h.request('POST', '/v2/metadefs/namespaces', { body: { namespace: 'tempest-ns' } })).statusCode, 409);
    const listed = (await h.request('GET', '/v2/metadefs/namespaces', { token: h.alice.token })).json().namespaces;
    assert.ok(listed.some((n: { namespace: string }) => n.namespace === 'tempest-ns'));
    const shown = (await h.request('GET', ns('tempest-ns'), { token: h.alice.token })).json();
    assert.equal(shown.visibility, 'public');
    assert.deepEqual(shown.resource_type_associations.map((a: { name: string }) => a.name), ['OS::Glance::Image']);
    assert.equal((await h.request('DELETE', ns('tempest-ns'))).statusCode, 403, 'protected');
    const updated = await h.request('PUT', ns('tempest-ns'), { body: { namespace: 'tempest-ns', visibility: 'private', protected: false, display_name: 'T' } });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().visibility, 'private');
    assert.equal(updated.json().protected, false);
    assert.equal((await h.request('GET', ns('tempest-ns'), { token: h.alice.token })).statusCode, 404, 'private to its owner');
    assert.equal((await h.request('DELETE', ns('tempest-ns'))).statusCode, 204);
    assert.equal((await h.request('GET', ns('tempest-ns'))).statusCode, 404);
  });

  test('writes are admin-only; bad bodies are 400', async () => {
    const denied = await h.request('POST', '/v2/metadefs/namespaces', { token: h.alice.token, body: { namespace: 'mine' } });
    assert.equal(denied.statusCode, 403);
    for (const body of [{}, { namespace: '' }, { namespace: 'x'.repeat(81) }, { namespace: 'a', visibility: 'shared' }, { namespace: 'a', color: 'red' },
      { namespace: 'a', properties: { p: { type: 'string' } } }, { namespace: 'a', tags: [{}] }]) {
      const res = await h.request('POST', '/v2/metadefs/namespaces', { body });
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
    }
    assert.equal((await h.request('GET', ns('a'))).statusCode, 404, 'nothing half-created');
  });

  test('objects, properties, tags and resource type associations inside a namespace', async () => {
    await create({ namespace: 'parts', visibility: 'public' });
    const obj = await h.request('POST', `${ns('parts')}/objects`, { body: { name: 'obj1', properties: { cores: { type: 'integer', title: 'Cores' } } } });
    assert.equal(obj.statusCode, 201, obj.body);
    assert.equal(obj.json().self, '/v2/metadefs/namespaces/parts/objects/obj1');
    const renamed = await h.request('PUT', `${ns('parts')}/objects/obj1`, { body: { name: 'obj2' } });
    assert.equal(renamed.json().name, 'obj2');
    assert.equal((await h.request('GET', `${ns('parts')}/objects/obj2`, { token: h.alice.token })).json().name, 'obj2');
    assert.deepEqual((await h.request('GET', `${ns('parts')}/objects`)).json().objects.map((o: { name: string }) => o.name), ['obj2']);
    assert.equal((await h.request('DELETE', `${ns('parts')}/objects/obj2`)).statusCode, 204);
    assert.equal((await h.request('GET', `${ns('parts')}/objects/obj2`)).statusCode, 404);

    const assoc = await h.request('POST', `${ns('parts')}/resource_types`, { body: { name: 'OS::Nova::Flavor', prefix: 'hw:' } });
    assert.equal(assoc.statusCode, 201, assoc.body);
    assert.deepEqual((await h.request('GET', `${ns('parts')}/resource_types`)).json().resource_type_associations.map((a: { name: string }) => a.name), ['OS::Nova::Flavor']);
    const prop = await h.request('POST', `${ns('parts')}/properties`, { body: { name: 'OS::Nova::Flavor', title: 'T', type: 'string', enum: ['kvm', 'qemu'] } });
    assert.equal(prop.statusCode, 201, prop.body);
    assert.equal(prop.json().title, 'T');
    const propUpdated = await h.request('PUT', `${ns('parts')}/properties/OS::Nova::Flavor`, { body: { name: 'OS::Nova::Flavor', title: 'T2', type: 'string' } });
    assert.equal(propUpdated.json().title, 'T2');
    assert.equal((await h.request('GET', `${ns('parts')}/properties`)).json().properties['OS::Nova::Flavor'].title, 'T2');
    assert.equal((await h.request('POST', `${ns('parts')}/properties`, { body: { name: 'p', type: 'string' } })).statusCode, 400, 'title is required');
    assert.equal((await h.request('DELETE', `${ns('parts')}/properties/OS::Nova::Flavor`)).statusCode, 204);
    assert.equal((await h.request('DELETE', `${ns('parts')}/resource_types/OS::Nova::Flavor`)).statusCode, 204);
    assert.equal((await h.request('GET', `${ns('parts')}/resource_types`)).json().resource_type_associations.length, 0);

    const tags = await h.request('POST', `${ns('parts')}/tags`, { body: { tags: [{ name: 't1' }, { name: 't2' }, { name: 't3' }] } });
    assert.equal(tags.statusCode, 201, tags.body);
    assert.equal((await h.request('GET', `${ns('parts')}/tags`)).json().tags.length, 3);
    assert.equal((await h.request('POST', `${ns('parts')}/tags/t4`)).statusCode, 201);
    assert.equal((await h.request('POST', `${ns('parts')}/tags/t4`)).statusCode, 409);
    assert.equal((await h.request('PUT', `${ns('parts')}/tags/t4`, { body: { name: 't5' } })).json().name, 't5');
    assert.equal((await h.request('GET', `${ns('parts')}/tags/t5`)).json().name, 't5');
    assert.equal((await h.request('DELETE', `${ns('parts')}/tags/t5`)).statusCode, 204);
    assert.equal((await h.request('DELETE', `${ns('parts')}/tags`)).statusCode, 204);
    assert.equal((await h.request('GET', `${ns('parts')}/tags`)).json().tags.length, 0);
    assert.equal((await h.request('POST', `${ns('parts')}/tags/x`, { token: h.alice.token })).statusCode, 403);
  });
});

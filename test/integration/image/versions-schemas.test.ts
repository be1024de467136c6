import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startImage, type ImageHarness } from '../../support/image-harness.js';

describe('image version discovery and schemas', () => {
  let h: ImageHarness;
  before(async () => { h = await startImage(); });
  after(async () => h.close());

  test('GET / is 300 and /versions 200 with the v2 versions, no token needed', async () => {
    const root = await h.request('GET', '/', { token: null });
    assert.equal(root.statusCode, 300);
    const versions = root.json().versions as { id: string; status: string; links: { rel: string; href: string }[] }[];
    assert.equal(versions[0]!.id, 'v2.13');
    assert.equal(versions[0]!.status, 'CURRENT');
    assert.ok(versions.some((v) => v.id === 'v2.0' && v.status === 'SUPPORTED'));
    assert.ok(versions.every((v) => v.links[0]!.rel === 'self' && v.links[0]!.href.endsWith('/v2/')));
    const explicit = await h.request('GET', '/versions', { token: null });
    assert.equal(explicit.statusCode, 200);
    assert.deepEqual(explicit.json(), root.json());
  });

  test('every schema Glance publishes is served under its name; unknown ones are 404', async () => {
    const expected: Record<string, string> = {
      image: 'image', images: 'images', member: 'member', members: 'members', task: 'task', tasks: 'tasks',
      'metadefs/namespace': 'namespace', 'metadefs/namespaces': 'namespaces', 'metadefs/resource_type': 'resource_type_association',
      'metadefs/resource_types': 'resource_type_associations', 'metadefs/object': 'object', 'metadefs/objects': 'objects',
      'metadefs/property': 'property', 'metadefs/properties': 'properties', 'metadefs/tag': 'tag', 'metadefs/tags': 'tags',
    };
    for (const [path, name] of Object.entries(expected)) {
      const res = await h.request('GET', `/v2/schemas/${path}`, { token: h.alice.token });
      assert.equal(res.statusCode, 200, path);
      assert.equal(res.json().name, name, path);
    }
    const image = (await h.request('GET', '/v2/schemas/image', { token: h.alice.token })).json();
    assert.deepEqual(image.additionalProperties, { type: 'string' });
    assert.ok(image.properties.disk_format.enum.includes('qcow2'));
    assert.equal(image.properties.visibility.enum.length, 4);
    const images = (await h.request('GET', '/v2/schemas/images', { token: h.alice.token })).json();
    assert.equal(images.properties.images.items.name, 'image');
    assert.equal((await h.request('GET', '/v2/schemas/nothing', { token: h.alice.token })).statusCode, 404);
    assert.equal((await h.request('GET', '/v2/schemas/constructor', { token: h.alice.token })).statusCode, 404);
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startImage, type ImageHarness } from '../../support/image-harness.js';
import { blob, PATCH_V20, PATCH_V21 } from '../../support/image-data.js';

describe('image updates: JSON-Patch', () => {
  let h: ImageHarness;
  before(async () => { h = await startImage(); });
  after(async () => h.close());

  const patch = (id: string, body: unknown, contentType = PATCH_V21, token?: string) =>
    h.request('PATCH', `/v2/images/${id}`, { body, contentType, token: token ?? h.alice.token });

  test('v2.1: add, replace and remove attributes, properties and tags in one request', async () => {
    const image = await h.createImage({ name: 'old', foo: 'bar', gone: 'soon' }, h.alice.token);
    const res = await patch(image.id, [
      { op: 'replace', path: '/name', value: 'new' },
      { op: 'add', path: '/min_ram', value: 512 },
      { op: 'add', path: '/hw_disk_bus', value: 'scsi' },
      { op: 'add', path: '/foo', value: 'baz' },
      { op: 'remove', path: '/gone' },
      { op: 'replace', path: '/tags', value: ['x', 'y', 'x'] },
      { op: 'replace', path: '/os_hidden', value: true },
      { op: 'add', path: '/a~1b', value: 'slash' },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.name, 'new');
    assert.equal(body.min_ram, 512);
    assert.equal(body.hw_disk_bus, 'scsi');
    assert.equal(body.foo, 'baz', 'v2.1 add overwrites');
    assert.equal('gone' in body, false);
    assert.deepEqual(body.tags, ['x', 'y']);
    assert.equal(body.os_hidden, true);
    assert.equal(body['a/b'], 'slash', '~1 decodes to /');
    assert.deepEqual((await h.request('GET', `/v2/images/${image.id}`, { token: h.alice.token })).json(), body);
  });

  test('v2.0 dialect: {"replace": "/name"}; add onto an existing key is 409', async () => {
    const image = await h.createImage({ name: 'v20', color: 'red' }, h.alice.token);
    const ok = await patch(image.id, [{ replace: '/name', value: 'renamed' }, { add: '/size_hint', value: '1' }], PATCH_V20);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().name, 'renamed');
    assert.equal((await patch(image.id, [{ add: '/color', value: 'blue' }], PATCH_V20)).statusCode, 409);
    assert.equal((await patch(image.id, [{ add: '/name', value: 'x' }], PATCH_V20)).statusCode, 409);
    assert.equal((await patch(image.id, [{ add: '/name', replace: '/name', value: 'x' }], PATCH_V20)).statusCode, 400);
    assert.equal((await patch(image.id, [{ value: 'x' }], PATCH_V20)).statusCode, 400);
  });

  test('wrong media type is 415 with Accept-Patch; malformed patches are 400; the image is unchanged', async () => {
    const image = await h.createImage({ name: 'stable', keep: 'me' }, h.alice.token);
    const wrong = await patch(image.id, [{ op: 'replace', path: '/name', value: 'x' }], 'application/json');
    assert.equal(wrong.statusCode, 415);
    assert.match(String(wrong.headers['accept-patch']), /openstack-images-v2\.1-json-patch/);
    const bad: unknown[] = [
      {}, 'text', [1], [{ path: '/name', value: 'x' }], [{ op: 'move', path: '/name', value: 'x' }],
      [{ op: 'replace', value: 'x' }], [{ op: 'replace', path: 'name', value: 'x' }], [{ op: 'replace', path: '/na//me', value: 'x' }],
      [{ op: 'replace', path: '/name/', value: 'x' }], [{ op: 'replace', path: '/name/first', value: 'x' }],
      [{ op: 'replace', path: '/a~2b', value: 'x' }], [{ op: 'replace', path: '/name' }], [{ op: 'replace', path: 5, value: 'x' }],
      [{ op: 'replace', path: '/name', value: 'x' }, { op: 'replace', path: '/min_disk', value: -1 }],
      [{ op: 'replace', path: '/name', value: 'ok' }, { op: 'replace', path: '/visibility', value: 'wide' }],
      [{ op: 'add', path: '/keep', value: 7 }], [{ op: 'replace', path: '/protected', value: 'true' }],
      [{ op: 'replace', path: '/disk_format', value: 'floppy' }], [{ op: 'add', path: `/${'k'.repeat(256)}`, value: 'v' }],
    ];
    for (const body of bad) {
      const res = await patch(image.id, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.statusCode} ${res.body}`);
    }
    const after = (await h.request('GET', `/v2/images/${image.id}`, { token: h.alice.token })).json();
    assert.equal(after.name, 'stable');
    assert.equal(after.keep, 'me');
  });

  test('read-only, reserved and locations paths are 403; missing properties are 409', async () => {
    const image = await h.createImage({ name: 'guarded' }, h.alice.token);
    for (const path of ['/status', '/id', '/size', '/checksum', '/created_at', '/self', '/os_hash_value', '/os_glance_x', '/deleted', '/location']) {
      const res = await patch(image.id, [{ op: 'replace', path, value: 'x' }]);
      assert.equal(res.statusCode, 403, `${path}: ${res.body}`);
    }
    assert.equal((await patch(image.id, [{ op: 'add', path: '/locations/-', value: { url: 'http://x', metadata: {} } }])).statusCode, 403);
    // As Glance, '//name' survives its pointer check (only the part after the first '/' is
    // searched for empty tokens) and means '/name'.
    assert.equal((await patch(image.id, [{ op: 'replace', path: '//name', value: 'doubled' }])).json().name, 'doubled');
    assert.equal((await patch(image.id, [{ op: 'remove', path: '/name' }])).statusCode, 403, 'attributes cannot be removed');
    assert.equal((await patch(image.id, [{ op: 'replace', path: '/nothing', value: 'x' }])).statusCode, 409);
    assert.equal((await patch(image.id, [{ op: 'remove', path: '/nothing' }])).statusCode, 409);
  });

  test('visibility and owner changes follow policy; other projects may not patch', async () => {
    const image = await h.createImage({ name: 'mine' }, h.alice.token);
    const pub = await patch(image.id, [{ op: 'replace', path: '/visibility', value: 'public' }]);
    assert.equal(pub.statusCode, 403);
    assert.equal((await patch(image.id, [{ op: 'replace', path: '/visibility', value: 'private' }])).statusCode, 200);
    assert.equal((await patch(image.id, [{ op: 'replace', path: '/owner', value: h.bob.projectId }])).statusCode, 403);
    const admin = await patch(image.id, [{ op: 'replace', path: '/visibility', value: 'public' }, { op: 'replace', path: '/owner', value: h.bob.projectId }], PATCH_V21, h.adminToken);
    assert.equal(admin.statusCode, 200, admin.body);
    assert.equal(admin.json().owner, h.bob.projectId);
    const foreign = await patch(image.id, [{ op: 'replace', path: '/name', value: 'hijack' }], PATCH_V21, h.alice.token);
    assert.equal(foreign.statusCode, 403, 'alice no longer owns it; it is public so she sees it');
  });

  test('formats are frozen once data exists; an empty patch changes nothing', async () => {
    const image = await h.createImage({ name: 'frozen', disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    assert.equal((await patch(image.id, [{ op: 'replace', path: '/disk_format', value: 'qcow2' }])).statusCode, 200);
    assert.equal((await patch(image.id, [{ op: 'replace', path: '/disk_format', value: 'raw' }])).statusCode, 200);
    assert.equal((await h.upload(image.id, blob(1000), h.alice.token)).statusCode, 204);
    const frozen = await patch(image.id, [{ op: 'replace', path: '/disk_format', value: 'qcow2' }]);
    assert.equal(frozen.statusCode, 403);
    const same = await patch(image.id, []);
    assert.equal(same.statusCode, 200);
    assert.equal(same.json().disk_format, 'raw');
  });

  test('property quota: more than 128 extra properties is 413', async () => {
    const image = await h.createImage({ name: 'many' }, h.alice.token);
    const ops = Array.from({ length: 129 }, (_, i) => ({ op: 'add', path: `/p${i}`, value: 'v' }));
    assert.equal((await patch(image.id, ops)).statusCode, 413);
    assert.equal((await patch(image.id, ops.slice(0, 128))).statusCode, 200);
  });
});

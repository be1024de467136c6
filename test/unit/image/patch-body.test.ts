import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePointer, parsePatch, patchDraft } from '../../../src/image/api/image-patch-body.js';
import { parseNewImage } from '../../../src/image/api/image-body.js';
import { isApiError } from '../../../src/core/errors.js';
import { statusOf } from '../../support/api-status.js';

const V21 = 'application/openstack-images-v2.1-json-patch';

test('media types: v2.0 is draft 4, v2.1 draft 10, anything else 415 with Accept-Patch', () => {
  assert.equal(patchDraft('application/openstack-images-v2.0-json-patch'), 4);
  assert.equal(patchDraft(`${V21}; charset=UTF-8`), 10);
  try {
    patchDraft('application/json');
    assert.fail('accepted application/json');
  } catch (err) {
    assert.ok(isApiError(err));
    assert.equal(err.status, 415);
    assert.match(err.headers['accept-patch']!, /v2\.0-json-patch, .*v2\.1-json-patch/);
  }
});

test('JSON pointers as Glance decodes them', () => {
  assert.deepEqual(decodePointer('/name'), ['name']);
  assert.deepEqual(decodePointer('/a~1b~0c'), ['a/b~c']);
  assert.deepEqual(decodePointer('/locations/-'), ['locations', '-']);
  for (const bad of ['name', '/a//b', '/a/', '/', '/a~2', '/a~', 5]) assert.equal(statusOf(() => decodePointer(bad)), 400, String(bad));
});

test('changes: typed, with values checked against the image schema', () => {
  assert.deepEqual(parsePatch(V21, [{ op: 'add', path: '/hw_qemu_guest_agent', value: 'yes' }, { op: 'remove', path: '/foo' }]), [
    { op: 'add', name: 'hw_qemu_guest_agent', draft: 10, value: 'yes' }, { op: 'remove', name: 'foo', draft: 10 },
  ]);
  assert.deepEqual(parsePatch('application/openstack-images-v2.0-json-patch', [{ replace: '/name', value: null }]), [
    { op: 'replace', name: 'name', draft: 4, value: null },
  ]);
  const cases: [unknown, number][] = [
    [undefined, 400], [{}, 400], [['x'], 400], [[{ op: 'replace', path: '/name', value: 5 }], 400],
    [[{ op: 'replace', path: '/status', value: 'active' }], 403], [[{ op: 'add', path: '/os_glance_x', value: 'y' }], 403],
    [[{ op: 'replace', path: '/disk_format', value: 'floppy' }], 400], [[{ op: 'add', path: '/x', value: ['a'] }], 400],
    [[{ op: 'add', path: '/locations/-', value: { url: 'http://x', metadata: {} } }], 403],
    [[{ op: 'replace', path: '/tags', value: [5] }], 400], [[{ op: 'replace', path: '/kernel_id', value: 'k' }], 400],
  ];
  for (const [body, expected] of cases) assert.equal(statusOf(() => parsePatch(V21, body)), expected, JSON.stringify(body));
});

test('create bodies: attributes, tags and extra properties are separated; read-only and reserved refused', () => {
  const image = parseNewImage({ name: 'n', tags: ['t'], min_ram: 1, color: 'red', ramdisk_id: null });
  assert.deepEqual(image, { name: 'n', min_ram: 1, tags: ['t'], properties: { color: 'red', ramdisk_id: null } });
  for (const [body, expected] of [[{ status: 'active' }, 403], [{ self: 'x' }, 403], [{ os_glance_a: 'b' }, 403], [{ color: 1 }, 400], [[], 400]] as const) {
    assert.equal(statusOf(() => parseNewImage(body)), expected, JSON.stringify(body));
  }
});

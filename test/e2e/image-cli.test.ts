// The image flow a new user runs, with Debian's real `openstack` client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startAllInOne, type AllInOne } from '../support/all-in-one.js';

const run = promisify(execFile);
type Row = Record<string, unknown>;

describe('images with the real openstack client', () => {
  let cloud: AllInOne;
  let dir: string;
  before(async () => {
    cloud = await startAllInOne();
    dir = mkdtempSync(join(tmpdir(), 'nimbus-image-e2e-'));
    await run('qemu-img', ['create', '-f', 'qcow2', join(dir, 'disk.qcow2'), '1G']);
  });
  after(async () => {
    await cloud?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('create, list, show, save, set, share, accept, deactivate, delete', { timeout: 180_000 }, async () => {
    const file = join(dir, 'disk.qcow2');
    const created = await cloud.openstackJson<Row>(['image', 'create', '--file', file, '--disk-format', 'qcow2', '--container-format', 'bare', 'e2e-disk']);
    const id = created.id as string;
    const shown = await cloud.openstackJson<Row>(['image', 'show', id]);
    assert.equal(shown.status, 'active');
    assert.equal(shown.virtual_size, 1024 ** 3);
    // The client files Glance's os_hash_* attributes under "properties".
    const hashes = shown.properties as Row;
    assert.equal(hashes.os_hash_algo, 'sha512');
    assert.equal(hashes.os_hash_value, createHash('sha512').update(readFileSync(file)).digest('hex'));

    const listed = await cloud.openstackJson<Row[]>(['image', 'list', '--property', 'disk_format=qcow2', '--status', 'active']);
    assert.deepEqual(listed.map((i) => i.ID), [id]);
    assert.deepEqual(await cloud.openstackJson<Row[]>(['image', 'list', '--property', 'disk_format=raw']), []);

    const saved = join(dir, 'saved.qcow2');
    await cloud.openstack(['image', 'save', '--file', saved, id]);
    assert.equal(createHash('sha512').update(readFileSync(saved)).digest('hex'), hashes.os_hash_value, 'byte-identical download');

    await cloud.openstack(['image', 'set', '--property', 'os_distro=debian', id]);
    assert.equal(((await cloud.openstackJson<Row>(['image', 'show', id])).properties as Row).os_distro, 'debian');

    // Share with another project and accept from there.
    await cloud.openstack(['project', 'create', 'other']);
    await cloud.openstack(['user', 'create', '--password', 'bob-secret', 'bob']);
    await cloud.openstack(['role', 'add', '--project', 'other', '--user', 'bob', 'member']);
    const bob = { OS_USERNAME: 'bob', OS_PASSWORD: 'bob-secret', OS_PROJECT_NAME: 'other' };
    await cloud.openstack(['image', 'set', '--shared', id]);
    await cloud.openstack(['image', 'add', 'project', id, 'other']);
    await assert.rejects(cloud.openstack(['image', 'show', 'e2e-disk'], bob), 'a pending member does not see it by name');
    await cloud.openstack(['image', 'set', '--accept', id], bob);
    const bobs = await cloud.openstackJson<Row[]>(['image', 'list'], bob);
    assert.ok(bobs.some((i) => i.ID === id), 'accepted: the member lists it');

    await cloud.openstack(['image', 'set', '--deactivate', id]);
    assert.equal((await cloud.openstackJson<Row>(['image', 'show', id])).status, 'deactivated');
    await assert.rejects(cloud.openstack(['image', 'save', '--file', join(dir, 'no.qcow2'), id], bob), 'a deactivated image cannot be downloaded by a member');
    await cloud.openstack(['image', 'set', '--activate', id]);

    await cloud.openstack(['image', 'delete', id]);
    await assert.rejects(cloud.openstack(['image', 'show', id]));
  });
});

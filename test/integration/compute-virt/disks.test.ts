// Disks with the real qemu-img and xorriso: overlays, resize, info, the verified base image cache
// and config drives. Files only (no root needed); everything lives in a temp dir removed after.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/hostnet/index.js';
import { BaseImageCache, DiskError, buildConfigDrive, createOverlay, diskInfo, resizeDisk } from '../../../src/compute/virt/disks.js';

const haveTools = existsSync('/usr/bin/qemu-img') && existsSync('/usr/bin/xorriso');
const MiB = 1024 * 1024;

describe('virt disks', { skip: haveTools ? false : 'needs qemu-utils and xorriso' }, () => {
  let dir = '';
  let base = '';
  let baseSha = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-virt-disks-'));
    base = join(dir, 'base.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', base, String(64 * MiB)]);
    baseSha = createHash('sha256').update(readFileSync(base)).digest('hex');
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('info reads format, sizes and backing file', async () => {
    const info = await diskInfo(base);
    assert.equal(info.format, 'qcow2');
    assert.equal(info.virtualSize, 64 * MiB);
    assert.equal(info.backingFile, undefined);
    await assert.rejects(diskInfo(join(dir, 'missing.qcow2')), /qemu-img/);
    await assert.rejects(diskInfo('relative.qcow2'), DiskError);
  });

  it('overlay on a base: backing file and format, grown to the flavor size but never below the base', async () => {
    const big = await createOverlay(base, join(dir, 'inst1', 'disk'), { sizeBytes: 1024 * MiB });
    assert.equal(big.format, 'qcow2');
    assert.equal(big.virtualSize, 1024 * MiB);
    assert.equal(big.backingFile, base);
    assert.equal(big.backingFormat, 'qcow2');
    const small = await createOverlay(base, join(dir, 'inst2', 'disk'), { sizeBytes: 1 * MiB });
    assert.equal(small.virtualSize, 64 * MiB);
    const same = await createOverlay(base, join(dir, 'inst3', 'disk'));
    assert.equal(same.virtualSize, 64 * MiB);
    const raw = join(dir, 'base.raw');
    await run('qemu-img', ['create', '-q', '-f', 'raw', raw, String(8 * MiB)]);
    const onRaw = await createOverlay(raw, join(dir, 'inst4', 'disk'), { sizeBytes: 16 * MiB });
    assert.equal(onRaw.backingFormat, 'raw');
    assert.equal(onRaw.virtualSize, 16 * MiB);
  });

  it('resize grows, refuses to shrink', async () => {
    const path = join(dir, 'inst5', 'disk');
    await createOverlay(base, path);
    assert.equal((await resizeDisk(path, 128 * MiB)).virtualSize, 128 * MiB);
    assert.equal((await resizeDisk(path, 128 * MiB)).virtualSize, 128 * MiB);
    await assert.rejects(resizeDisk(path, 64 * MiB), /refusing to shrink/);
  });

  it('base cache: fetches once, verifies the hash, reuses the verified file, refetches a changed one', async () => {
    const cache = new BaseImageCache(join(dir, 'cache'));
    let fetches = 0;
    const fetch = async (dest: string): Promise<void> => { fetches += 1; await copyFile(base, dest); };
    const expected = { algorithm: 'sha256' as const, value: baseSha };
    const [a, b] = await Promise.all([cache.ensure('img-1', expected, fetch), cache.ensure('img-1', expected, fetch)]);
    assert.equal(a, join(dir, 'cache', 'img-1'));
    assert.equal(b, a);
    assert.equal(fetches, 1, 'concurrent ensure() fetch once');
    assert.equal(await cache.ensure('img-1', expected, fetch), a);
    assert.equal(fetches, 1, 'a verified file is reused');
    assert.deepEqual(await cache.list(), ['img-1']);
    writeFileSync(a, 'tampered');
    assert.deepEqual(await cache.list(), []);
    assert.equal(await cache.ensure('img-1', expected, fetch), a);
    assert.equal(fetches, 2, 'a changed file is fetched and verified again');
    assert.equal(createHash('sha256').update(readFileSync(a)).digest('hex'), baseSha);
    const sha512 = createHash('sha512').update(readFileSync(base)).digest('hex');
    assert.equal(await cache.ensure('img-2', { algorithm: 'sha512', value: sha512.toUpperCase() }, fetch), join(dir, 'cache', 'img-2'));
    await cache.remove('img-2');
    assert.deepEqual(await cache.list(), ['img-1']);
  });

  it('base cache: a hash mismatch, a backing file or a bad id is refused and leaves nothing behind', async () => {
    const cache = new BaseImageCache(join(dir, 'cache2'));
    await assert.rejects(cache.ensure('img-bad', { algorithm: 'sha256', value: '0'.repeat(64) }, (dest) => copyFile(base, dest)), /sha256 mismatch/);
    const overlay = join(dir, 'inst1', 'disk');
    const overlaySha = createHash('sha256').update(readFileSync(overlay)).digest('hex');
    await assert.rejects(cache.ensure('img-backed', { algorithm: 'sha256', value: overlaySha }, (dest) => copyFile(overlay, dest)), /has a backing file/);
    assert.throws(() => cache.pathOf('../etc'), DiskError);
    await assert.rejects(cache.ensure('img-x', { algorithm: 'sha1' as 'md5', value: 'ab' }, (dest) => copyFile(base, dest)), /unusable expected hash/);
    assert.deepEqual(readdirSync(join(dir, 'cache2')), []);
  });

  it('config drive: ISO9660 labelled config-2 with the OpenStack layout', async () => {
    const iso = join(dir, 'inst1', 'disk.config');
    await buildConfigDrive(iso, {
      metaData: { uuid: 'u-1', hostname: 'vm1', public_keys: { k1: 'ssh-ed25519 AAAA test' } },
      userData: '#!/bin/sh\necho hi\n',
      networkData: { links: [{ id: 'tap1', type: 'ovs', ethernet_mac_address: 'fa:16:3e:00:00:01' }], networks: [], services: [] },
      ec2MetaData: { 'instance-id': 'i-00000001' },
    });
    const { stdout: pvd } = await run('xorriso', ['-indev', iso, '-pvd_info'], { timeoutMs: 30_000 });
    assert.match(pvd, /Volume Id\s*:\s*config-2/);
    const { stdout: listing } = await run('xorriso', ['-indev', iso, '-find', '/', '-type', 'f'], { timeoutMs: 30_000 });
    for (const f of ['meta_data.json', 'user_data', 'network_data.json', 'vendor_data.json', 'vendor_data2.json']) {
      assert.ok(listing.includes(`'/openstack/latest/${f}'`), `${f} in\n${listing}`);
      assert.ok(listing.includes(`'/openstack/2012-08-10/${f}'`), f);
    }
    assert.ok(listing.includes("'/ec2/latest/meta-data.json'"));
    const out = join(dir, 'extracted.json');
    await run('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/openstack/latest/meta_data.json', out], { timeoutMs: 30_000 });
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { uuid: 'u-1', hostname: 'vm1', public_keys: { k1: 'ssh-ed25519 AAAA test' } });
    assert.deepEqual(readdirSync(join(dir, 'inst1')).sort(), ['disk', 'disk.config'], 'no staging left');
  });
});

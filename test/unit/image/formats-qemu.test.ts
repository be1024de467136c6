// The format inspector against images made by qemu-img: format, virtual size (checked against
// qemu-img info) and the safety problems Glance refuses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { guidBytes } from '../../../src/image/formats/guid.js';
import { NO_QEMU_IMG, patchFile, qemuCreate, qemuInfo, tempDir } from './image-fixtures.js';
import { inspectBoth } from './inspect-both.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('images made by qemu-img', { skip: NO_QEMU_IMG }, () => {
  let work: ReturnType<typeof tempDir>;
  before(() => { work = tempDir('nimbus-formats-'); });
  after(() => work.remove());

  test('qcow2 (v3 and v2): format and virtual size from the header', async () => {
    for (const [name, extra] of [['v3.qcow2', []], ['v2.qcow2', ['-o', 'compat=0.10']]] as const) {
      const path = qemuCreate(work.dir, name, 'qcow2', '1G', extra);
      const found = await inspectBoth(path);
      assert.deepEqual(found, { format: 'qcow2', virtualSize: GiB, safetyProblems: [] }, name);
      assert.equal(found.virtualSize, qemuInfo(path).virtualSize);
    }
  });

  test('qcow2 with a backing file is unsafe', async () => {
    qemuCreate(work.dir, 'base.qcow2', 'qcow2', '64M');
    const path = qemuCreate(work.dir, 'overlay.qcow2', 'qcow2', '64M', ['-b', 'base.qcow2', '-F', 'qcow2']);
    const found = await inspectBoth(path);
    assert.equal(found.format, 'qcow2');
    assert.equal(found.virtualSize, 64 * MiB);
    assert.deepEqual(found.safetyProblems, ['qcow2 has a backing file']);
  });

  test('qcow2 with an external data file is unsafe', async () => {
    const path = qemuCreate(work.dir, 'external.qcow2', 'qcow2', '16M', ['-o', 'data_file=external.data']);
    const found = await inspectBoth(path);
    assert.deepEqual(found.safetyProblems, ['qcow2 has an external data file']);
    // The data file itself is just bytes.
    assert.equal((await inspectBoth(`${work.dir}/external.data`)).format, 'raw');
  });

  test('vmdk: monolithicSparse and streamOptimized are self-contained', async () => {
    for (const subformat of ['monolithicSparse', 'streamOptimized']) {
      const path = qemuCreate(work.dir, `${subformat}.vmdk`, 'vmdk', '100M', ['-o', `subformat=${subformat}`]);
      assert.deepEqual(await inspectBoth(path), { format: 'vmdk', virtualSize: 100 * MiB, safetyProblems: [] }, subformat);
      assert.equal(qemuInfo(path).virtualSize, 100 * MiB);
    }
  });

  test('vmdk descriptors that point at other files are unsafe', async () => {
    for (const subformat of ['monolithicFlat', 'twoGbMaxExtentSparse']) {
      const path = qemuCreate(work.dir, `${subformat}.vmdk`, 'vmdk', '100M', ['-o', `subformat=${subformat}`]);
      const found = await inspectBoth(path);
      assert.equal(found.format, 'vmdk', subformat);
      assert.equal(found.virtualSize, 100 * MiB, subformat);
      assert.deepEqual(found.safetyProblems, ['vmdk descriptor references external extent files'], subformat);
    }
  });

  test('vmdk whose embedded descriptor names an absolute extent path or another createType is unsafe', async () => {
    const path = qemuCreate(work.dir, 'patched.vmdk', 'vmdk', '10M');
    const image = readFileSync(path);
    const text = image.subarray(512, 1024).toString('latin1');
    const patched = text.replace('createType="monolithicSparse"', 'createType="monolithicFlat"  ').replace(/"patched\.vmdk"/, '"/etc/passwd"');
    assert.notEqual(patched, text);
    image.write(patched, 512, 'latin1');
    writeFileSync(path, image);
    const found = await inspectBoth(path);
    assert.equal(found.format, 'vmdk');
    assert.deepEqual(found.safetyProblems, ['vmdk createType "monolithicFlat" is not allowed', 'vmdk extent names another path']);
  });

  test('vhd, dynamic (footer copy at the start) and fixed (footer only at the end)', async () => {
    const dynamic = qemuCreate(work.dir, 'dynamic.vhd', 'vpc', '100M');
    const fixed = qemuCreate(work.dir, 'fixed.vhd', 'vpc', '10M', ['-o', 'subformat=fixed']);
    const foundDynamic = await inspectBoth(dynamic);
    assert.deepEqual(foundDynamic, { format: 'vhd', virtualSize: qemuInfo(dynamic).virtualSize, safetyProblems: [] });
    const foundFixed = await inspectBoth(fixed);
    // qemu-img probes a fixed VHD as raw; told it is vpc, it reads the same size we do.
    assert.deepEqual(foundFixed, { format: 'vhd', virtualSize: qemuInfo(fixed, 'vpc').virtualSize, safetyProblems: [] });
    assert.ok(foundFixed.virtualSize! < statSync(fixed).size);
  });

  test('vhd differencing disk is unsafe', async () => {
    const path = qemuCreate(work.dir, 'diff.vhd', 'vpc', '10M');
    patchFile(path, 60, Buffer.from([0, 0, 0, 4]));
    assert.deepEqual((await inspectBoth(path)).safetyProblems, ['vhd is a differencing disk (has a parent)']);
  });

  test('vhdx: virtual size from the metadata region (beyond the first 256 KiB)', async () => {
    const path = qemuCreate(work.dir, 'disk.vhdx', 'vhdx', '1G');
    assert.ok(readFileSync(path).indexOf('metadata', 256 * 1024, 'latin1') > 0, 'metadata lies past the head');
    assert.deepEqual(await inspectBoth(path), { format: 'vhdx', virtualSize: GiB, safetyProblems: [] });
    assert.equal(qemuInfo(path).virtualSize, GiB);
  });

  test('vhdx with HasParent set is unsafe', async () => {
    const path = qemuCreate(work.dir, 'parent.vhdx', 'vhdx', '64M');
    const image = readFileSync(path);
    const metaStart = image.indexOf('metadata', 256 * 1024, 'latin1');
    const entry = image.indexOf(guidBytes('CAA16737-FA36-4D43-B3B6-33F0AA44E76B'), metaStart);
    assert.ok(metaStart > 0 && entry > metaStart);
    const item = metaStart + image.readUInt32LE(entry + 16);
    patchFile(path, item + 4, Buffer.from([0x2, 0, 0, 0]));
    const found = await inspectBoth(path);
    assert.equal(found.virtualSize, 64 * MiB);
    assert.deepEqual(found.safetyProblems, ['vhdx is a differencing disk (has a parent)']);
  });

  test('vdi, and a differencing vdi is unsafe', async () => {
    const path = qemuCreate(work.dir, 'disk.vdi', 'vdi', '100M');
    assert.deepEqual(await inspectBoth(path), { format: 'vdi', virtualSize: 100 * MiB, safetyProblems: [] });
    assert.equal(qemuInfo(path).virtualSize, 100 * MiB);
    patchFile(path, 0x4c, Buffer.from([4, 0, 0, 0]));
    assert.deepEqual((await inspectBoth(path)).safetyProblems, ['vdi is a differencing image (has a parent)']);
  });

  test('raw: the virtual size is the file size', async () => {
    const path = qemuCreate(work.dir, 'disk.raw', 'raw', '5M');
    assert.deepEqual(await inspectBoth(path), { format: 'raw', virtualSize: 5 * MiB, safetyProblems: [] });
  });
});

// The format inspector on hand-made bytes: partition tables, ISOs (plain and hybrid), disguises
// (two formats in one file), truncated and hostile headers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gptSectors, makeIso, mbrSector, tempDir } from './image-fixtures.js';
import { inspectBoth } from './inspect-both.js';

const MiB = 1024 * 1024;
let work: ReturnType<typeof tempDir>;
before(() => { work = tempDir('nimbus-crafted-'); });
after(() => work.remove());

function write(name: string, ...parts: Buffer[]): string {
  const path = join(work.dir, name);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

/** A VHD footer: "conectix", current size at 48, disk type at 60 (2 fixed, 3 dynamic). */
function vhdFooter(size: number, type = 2): Buffer {
  const footer = Buffer.alloc(512);
  footer.write('conectix', 0, 'latin1');
  footer.writeBigUInt64BE(BigInt(size), 40);
  footer.writeBigUInt64BE(BigInt(size), 48);
  footer.writeUInt32BE(type, 60);
  return footer;
}

function qcow2Header(options: { version?: number; size?: number; incompatible?: bigint } = {}): Buffer {
  const header = Buffer.alloc(512);
  header.write('QFI\xfb', 0, 'latin1');
  header.writeUInt32BE(options.version ?? 3, 4);
  header.writeBigUInt64BE(BigInt(options.size ?? MiB), 24);
  header.writeBigUInt64BE(options.incompatible ?? 0n, 72);
  return header;
}

/** A sparse VMDK: header with capacity and a one-sector descriptor at sector 1. */
function sparseVmdk(descriptor: string): Buffer {
  const header = Buffer.alloc(512);
  header.write('KDMV', 0, 'latin1');
  header.writeUInt32LE(1, 4);
  header.writeBigUInt64LE(2048n, 12);
  header.writeBigUInt64LE(1n, 28);
  header.writeBigUInt64LE(1n, 36);
  const desc = Buffer.alloc(512);
  desc.write(descriptor, 0, 'latin1');
  return Buffer.concat([header, desc]);
}

test('an empty file is raw of size 0', async () => {
  assert.deepEqual(await inspectBoth(write('empty.img')), { format: 'raw', virtualSize: 0, safetyProblems: [] });
});

test('MBR and GPT disks are "gpt" (raw data with a partition table) of the file size', async () => {
  const mbr = write('mbr.img', mbrSector(0x83), Buffer.alloc(MiB));
  assert.deepEqual(await inspectBoth(mbr), { format: 'gpt', virtualSize: MiB + 512, safetyProblems: [] });
  const gpt = write('gpt.img', gptSectors(), Buffer.alloc(MiB));
  assert.deepEqual(await inspectBoth(gpt), { format: 'gpt', virtualSize: MiB + 1024, safetyProblems: [] });
});

test('things that only look like an MBR stay raw', async () => {
  const fat = mbrSector(0x83);
  fat[0x10] = 2;
  fat[0x15] = 0xf8;
  assert.equal((await inspectBoth(write('fat.img', fat))).format, 'raw');
  assert.equal((await inspectBoth(write('badboot.img', mbrSector(0x83, 0x13)))).format, 'raw');
  assert.equal((await inspectBoth(write('nopart.img', mbrSector(0)))).format, 'raw');
  // A protective MBR without a GPT header behind it.
  assert.equal((await inspectBoth(write('pmbr.img', mbrSector(0xee, 0), Buffer.alloc(8192)))).format, 'raw');
});

test('ISO 9660, and a hybrid ISO (an MBR in its system area) is still an ISO', async () => {
  const iso = makeIso(work.dir, 'disc.iso');
  assert.deepEqual(await inspectBoth(iso.path), { format: 'iso', virtualSize: iso.virtualSize, safetyProblems: [] });
  const hybrid = readFileSync(iso.path);
  mbrSector(0x17).copy(hybrid, 0);
  assert.deepEqual(await inspectBoth(write('hybrid.iso', hybrid)), { format: 'iso', virtualSize: iso.virtualSize, safetyProblems: [] });
});

test('a fixed VHD of a partitioned disk is a VHD', async () => {
  const path = write('fixed-mbr.vhd', mbrSector(0x83), Buffer.alloc(MiB - 512), vhdFooter(MiB));
  assert.deepEqual(await inspectBoth(path), { format: 'vhd', virtualSize: MiB, safetyProblems: [] });
});

test('two formats in one file is a disguise: unknown, and unsafe', async () => {
  const path = write('disguise.img', qcow2Header(), Buffer.alloc(MiB), vhdFooter(MiB));
  const found = await inspectBoth(path);
  assert.equal(found.format, 'unknown');
  assert.equal(found.virtualSize, MiB + 1024);
  assert.deepEqual(found.safetyProblems, ['multiple formats detected: qcow2, vhd']);
});

test('qcow2 headers: truncated, unknown version, unknown incompatible features, absurd size', async () => {
  const truncated = await inspectBoth(write('short.qcow2', qcow2Header().subarray(0, 50)));
  assert.deepEqual(truncated, { format: 'qcow2', virtualSize: null, safetyProblems: ['qcow2 header is truncated'] });
  assert.deepEqual((await inspectBoth(write('v4.qcow2', qcow2Header({ version: 4 })))).safetyProblems, ['qcow2 version 4 is not supported']);
  assert.deepEqual((await inspectBoth(write('feat.qcow2', qcow2Header({ incompatible: 1n << 10n })))).safetyProblems, ['qcow2 has unknown incompatible features']);
  assert.deepEqual((await inspectBoth(write('known.qcow2', qcow2Header({ incompatible: 0b11011n })))).safetyProblems, []);
  const huge = qcow2Header();
  huge.writeBigUInt64BE(2n ** 63n, 24);
  assert.deepEqual(await inspectBoth(write('huge.qcow2', huge)), { format: 'qcow2', virtualSize: null, safetyProblems: ['qcow2 virtual size is out of range'] });
});

test('QED is refused outright', async () => {
  const found = await inspectBoth(write('disk.qed', Buffer.from('QED\0', 'latin1'), Buffer.alloc(1020)));
  assert.equal(found.format, 'unknown');
  assert.deepEqual(found.safetyProblems, ['qed images are not allowed']);
});

test('sparse VMDK descriptors are parsed cautiously', async () => {
  const good = sparseVmdk('# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicSparse"\n\nRW 2048 SPARSE "disk.vmdk"\nddb.virtualHWVersion = "4"\n');
  assert.deepEqual(await inspectBoth(write('good.vmdk', good)), { format: 'vmdk', virtualSize: MiB, safetyProblems: [] });
  const junk = sparseVmdk('createType="monolithicSparse"\nRW 2048 SPARSE "disk.vmdk"\nthis is not a descriptor line\n');
  assert.deepEqual((await inspectBoth(write('junk.vmdk', junk))).safetyProblems, ['vmdk descriptor is invalid']);
  const noExtents = sparseVmdk('createType="streamOptimized"\n');
  assert.deepEqual((await inspectBoth(write('noext.vmdk', noExtents))).safetyProblems, ['vmdk descriptor lists no extents']);
  const binary = sparseVmdk('createType="monolithicSparse"\n\x01\x02');
  assert.deepEqual((await inspectBoth(write('binary.vmdk', binary))).safetyProblems, ['vmdk descriptor is not text']);
});

test('a bare VMDK descriptor naming a host file is unsafe', async () => {
  const text = '# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW 4096 FLAT "/var/lib/secret.img" 0\n';
  const found = await inspectBoth(write('flat.vmdk', Buffer.from(text, 'latin1')));
  assert.deepEqual(found, { format: 'vmdk', virtualSize: 4096 * 512, safetyProblems: ['vmdk descriptor references external extent files'] });
});

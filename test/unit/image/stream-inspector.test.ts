// The streaming inspector keeps only what the probes need, whatever the stream's length.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamInspector, HEAD_BYTES } from '../../../src/image/formats/stream-inspector.js';
import { NO_QEMU_IMG, qemuCreate, tempDir } from './image-fixtures.js';
import { inspectStreamed } from './inspect-both.js';

const MiB = 1024 * 1024;
let work: ReturnType<typeof tempDir>;
before(() => { work = tempDir('nimbus-stream-'); });
after(() => work.remove());

test('a long raw stream retains only the head and the last 512 bytes', () => {
  const inspector = new StreamInspector();
  const chunk = Buffer.alloc(64 * 1024, 0xab);
  for (let i = 0; i < 1024; i++) inspector.push(chunk);
  assert.equal(inspector.retainedBytes, HEAD_BYTES + 512);
  assert.deepEqual(inspector.finish(), { format: 'raw', virtualSize: 64 * MiB, safetyProblems: [] });
  assert.throws(() => inspector.push(chunk), /finished/);
});

test('the last 512 bytes are copied, not kept as a view of a larger buffer', () => {
  const inspector = new StreamInspector();
  const big = Buffer.alloc(4 * MiB);
  big.write('conectix', big.length - 512, 'latin1');
  big.writeBigUInt64BE(123n * 512n, big.length - 512 + 48);
  inspector.push(big);
  big.fill(0); // the caller reuses its buffer
  assert.deepEqual(inspector.finish(), { format: 'vhd', virtualSize: 123 * 512, safetyProblems: [] });
});

test('a VMDK claiming a huge descriptor costs at most 1 MiB more', () => {
  const header = Buffer.alloc(512);
  header.write('KDMV', 0, 'latin1');
  header.writeUInt32LE(1, 4);
  header.writeBigUInt64LE(2048n, 12);
  header.writeBigUInt64LE(1n, 28);
  header.writeBigUInt64LE(1n << 40n, 36);
  const inspector = new StreamInspector();
  inspector.push(header);
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < 64; i++) inspector.push(chunk);
  assert.ok(inspector.retainedBytes <= HEAD_BYTES + 512 + MiB, `retained ${inspector.retainedBytes}`);
  const found = inspector.finish();
  assert.equal(found.format, 'vmdk');
  assert.ok(found.safetyProblems.length > 0);
});

test('a VHDX streams with its metadata region captured past the head', { skip: NO_QEMU_IMG }, async () => {
  const path = qemuCreate(work.dir, 'disk.vhdx', 'vhdx', '2G');
  const { inspection, retained } = await inspectStreamed(path, 65536);
  assert.deepEqual(inspection, { format: 'vhdx', virtualSize: 2 * 1024 * MiB, safetyProblems: [] });
  assert.ok(retained < HEAD_BYTES + 512 + 128 * 1024, `retained ${retained}`);
});

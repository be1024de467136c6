// Glance's require_image_format_match: which detected content each declared disk_format accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMatchesDiskFormat } from '../../../src/image/formats/disk-format-match.js';
import type { DetectedFormat } from '../../../src/image/formats/inspection.js';

const DETECTED: readonly DetectedFormat[] = ['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso', 'gpt', 'unknown'];

function accepted(diskFormat: string): DetectedFormat[] {
  return DETECTED.filter((d) => formatMatchesDiskFormat(d, diskFormat));
}

test('raw and the AMI family accept plain bytes only: never a qcow2 claiming to be raw', () => {
  for (const diskFormat of ['raw', 'ami', 'aki', 'ari']) assert.deepEqual(accepted(diskFormat), ['raw', 'gpt', 'unknown'], diskFormat);
});

test('structured formats must be exactly what they claim', () => {
  for (const diskFormat of ['qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso', 'gpt'] as const) {
    assert.deepEqual(accepted(diskFormat), [diskFormat], diskFormat);
  }
});

test('formats without an inspector accept only unrecognised content', () => {
  assert.deepEqual(accepted('ploop'), ['raw']);
});

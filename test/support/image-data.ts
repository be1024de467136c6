// Image bytes for API tests: random blobs, and minimal qcow2 headers (with or without a backing
// file) that the format inspector recognises.
import { createHash, randomBytes } from 'node:crypto';

export function blob(size: number): Buffer {
  return randomBytes(size);
}

/** A qcow2 v3 header for a disk of `virtualSize` bytes, padded to `length` bytes. */
export function qcow2(virtualSize: number, options: { backingFile?: boolean; length?: number } = {}): Buffer {
  const data = Buffer.alloc(options.length ?? 65536);
  data.write('QFI\xfb', 0, 'latin1');
  data.writeUInt32BE(3, 4);
  if (options.backingFile) {
    data.writeBigUInt64BE(512n, 8);
    data.writeUInt32BE(9, 16);
    data.write('/etc/passwd', 512, 'latin1');
  }
  data.writeUInt32BE(16, 20);
  data.writeBigUInt64BE(BigInt(virtualSize), 24);
  data.writeUInt32BE(104, 100);
  return data;
}

export const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');
export const sha512 = (data: Buffer): string => createHash('sha512').update(data).digest('hex');

export const PATCH_V21 = 'application/openstack-images-v2.1-json-patch';
export const PATCH_V20 = 'application/openstack-images-v2.0-json-patch';

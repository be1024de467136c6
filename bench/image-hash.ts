// How fast this machine hashes, one thread per digest: an upload must compute MD5 and SHA-512 of
// every byte (Glance's checksum and os_hash_value), so these rates bound upload throughput
// whatever the disk can do. MD5 cannot be split across threads: its rate is a hard ceiling.
import { createHash } from 'node:crypto';

const MiB = 1024 * 1024;
const BYTES = 512 * MiB;

function rate(algorithm: string): number {
  const block = Buffer.alloc(MiB, 0x5a);
  const hash = createHash(algorithm);
  const started = performance.now();
  for (let done = 0; done < BYTES; done += MiB) hash.update(block);
  hash.digest();
  return BYTES / MiB / ((performance.now() - started) / 1000);
}

export function hashRates(): { readonly md5_mib_s: number; readonly sha512_mib_s: number; readonly both_on_one_thread_mib_s: number } {
  const md5 = rate('md5');
  const sha512 = rate('sha512');
  const r = (x: number): number => Math.round(x);
  return { md5_mib_s: r(md5), sha512_mib_s: r(sha512), both_on_one_thread_mib_s: r(1 / (1 / md5 + 1 / sha512)) };
}

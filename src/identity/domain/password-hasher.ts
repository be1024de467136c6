// Password hashing with scrypt (memory-hard), stored as a self-describing string so the cost
// can be raised later without invalidating old hashes:  $scrypt$ln=14,r=8,p=7$<salt>$<hash>
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { PasswordHashConfig } from '../../core/config.js';
import { Semaphore } from '../../core/semaphore.js';

const KEY_LENGTH = 32;

// Hashing is CPU-bound and each one holds 128·N·r bytes: more hashes in flight than cores buys no
// throughput, only memory. Waiting here keeps the service's peak memory bounded under a login storm.
const hashSlots = new Semaphore(Math.max(1, availableParallelism()));

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return hashSlots.run(() => new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  }));
}

function scryptOptions(logN: number, r: number, p: number): ScryptOptions {
  const N = 2 ** logN;
  // Node refuses by default above 32 MiB; allow exactly what these parameters need.
  return { N, r, p, maxmem: 128 * N * r + 1024 * 1024 };
}

export interface ParsedHash {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

export function parseHash(stored: string): ParsedHash | undefined {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (!match) return undefined;
  const [, ln, r, p, salt, hash] = match;
  return { logN: Number(ln), r: Number(r), p: Number(p), salt: Buffer.from(salt!, 'base64'), hash: Buffer.from(hash!, 'base64') };
}

export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(private readonly config: PasswordHashConfig) {}

  /** Verifying against a real hash of a random password keeps unknown-user logins as slow as real ones. */
  private dummyHash(): Promise<string> {
    this.dummy ??= this.hash(randomBytes(16).toString('hex'));
    return this.dummy;
  }

  async hash(password: string): Promise<string> {
    const { logN, blockSize: r, parallelism: p } = this.config;
    const salt = randomBytes(16);
    const key = await derive(password, salt, scryptOptions(logN, r, p));
    return `$scrypt$ln=${logN},r=${r},p=${p}$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
  }

  /** Constant-time comparison; `stored` undefined (no such user, no password) still costs a full hash. */
  async verify(password: string, stored: string | null | undefined): Promise<boolean> {
    const parsed = parseHash(stored ?? '') ?? parseHash(await this.dummyHash())!;
    const key = await derive(password, parsed.salt, scryptOptions(parsed.logN, parsed.r, parsed.p));
    const same = key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
    return same && stored !== undefined && stored !== null && parseHash(stored) !== undefined;
  }
}
